"""A webhook receiver for trying ExaRoutes webhooks on one machine, written from the Standard Webhooks
spec alone (https://www.standardwebhooks.com, "Verifying signatures"; no library).

Usage: WEBHOOK_SECRET=whsec_… .venv/bin/python scripts/webhook_receiver.py PORT
(the secret from the environment, not the command line, where `ps` would show it to everyone).
Listens on 127.0.0.1:PORT. For every POST it checks `webhook-signature` against the secret and
`webhook-timestamp` against this machine's clock (5 minutes either way), prints one line per event
(`verified scan.created evt_… {"id": …}`), and answers 204 to a verified event, 400 otherwise.
The test suite checks every delivery with `verify` below as well as with the `standardwebhooks`
package, so the two readings of the spec keep each other honest.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import sys
import time

TOLERANCE_SECONDS = 300


def verify(secret, headers, body, now=None):
    """True when one `v1` signature in `webhook-signature` is the HMAC-SHA256, keyed with the base64
    part of `whsec_…`, of `{webhook-id}.{webhook-timestamp}.{body}` (compared in constant time),
    and the timestamp is within TOLERANCE_SECONDS of now. `headers` has lower-case names."""
    try:
        webhook_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
        if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_SECONDS:
            return False
        key = base64.b64decode(secret.removeprefix("whsec_"))
        expected = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
        for entry in headers["webhook-signature"].split(" "):
            version, _, value = entry.partition(",")
            if version == "v1" and hmac.compare_digest(base64.b64decode(value), expected):
                return True
    except (KeyError, ValueError):
        pass
    return False


def serve(port, secret):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {name.lower(): value for name, value in self.headers.items()}
            if verify(secret, headers, body):
                event = json.loads(body)
                print(f"verified {event['type']} {event['id']} {json.dumps(event['data'])}", flush=True)
                self.send_response(204)
            else:
                print(f"REFUSED (signature or timestamp) {headers.get('webhook-id')}", flush=True)
                self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"receiving on http://127.0.0.1:{port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.environ.get("WEBHOOK_SECRET", "").startswith("whsec_"):
        sys.exit(__doc__)
    serve(int(sys.argv[1]), os.environ["WEBHOOK_SECRET"])
