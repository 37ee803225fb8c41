"""What batching webhook deliveries would save: dispatcher CPU per event, one POST per event vs K (issue 17).

Issue 17 asks that a subscribed endpoint cost the redirect at most 5% of its req/s; BENCHMARKS.md
("development.ini: the 5% is not met") found ~190 µs of dispatcher CPU per event, one signed POST
each, where ≤ ~25 µs would be needed. The issue allows batching many scans per delivery only if
the envelope stays per event. This measures, before anyone designs it, what such a batch would buy.
It is a measurement, not a product change: the batched dispatcher exists only here.

In this process, on a fresh database, N pending `scan.created` deliveries (built by the outbox's
own `scan_data` / `scan_deliveries`, one `evt_` envelope each) are delivered to a raw-socket
receiver (redirect.py's) running in a child process, so that this process' CPU is the dispatcher's:
  per event  the product's dispatcher, `exaroutes.webhooks.delivery.dispatch`, as the huey task runs it;
  batched K  the same claim (max(100, K) rows), then per endpoint K stored envelopes joined into one
             JSON array body, signed once (exaroutes.webhooks.signing, `webhook-id` a new `msg_` id),
             one POST on the product's pinned kept-alive Sender, and the claim's outcomes recorded by
             the product's `record` (one executemany, one commit).
Variants alternate within each round (the machine is shared). After every run the child verifies
each request it got with the `standardwebhooks` library and counts the envelopes and distinct
`evt_` ids; a run that does not add up to N stops the bench.

Printed per variant: median (and range over rounds) of time.process_time() per event, wall time
per event, the receiver's CPU per event, and for the batched runs the dispatcher thread's CPU split
(serialize + sign / HTTP / database: claim + record), from time.thread_time() around each part.

Usage: .venv/bin/python scripts/bench/webhook_batch_cost.py [--events 5000] [--batch 1 10 100]
       [--rounds 3] [--backend sqlite|postgresql]
Smallest run (seconds): --events 200 --rounds 1
Needs PostgreSQL at 127.0.0.1:5432 (trust auth) for --backend postgresql.
"""
import argparse
import collections
import contextlib
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time

from sqlalchemy import delete, insert, select

from exaroutes.clock import utcnow
from exaroutes.models import WebhookDelivery, WebhookEndpoint
from exaroutes.webhooks import signing, transport
from exaroutes.webhooks.delivery import CLAIM_BATCH, SigningSecrets, claim, dispatch, record
from exaroutes.webhooks.outbox import new_id, scan_data, scan_deliveries

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import app_client, load, machine, postgres_database  # noqa: E402
from redirect import Receiver  # noqa: E402


# the receiver (child process) -----------------------------------------------------------------------

class _Tape:
    """A connection that keeps every byte read from it (the receiver's parsing is left as it is)."""

    def __init__(self, connection):
        self.connection = connection
        self.chunks = []

    def recv(self, size):
        data = self.connection.recv(size)
        self.chunks.append(data)
        return data

    def sendall(self, data):
        self.connection.sendall(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.connection.close()


class RecordingReceiver(Receiver):
    """redirect.py's receiver (answers 204 at once), also keeping what it read, checked after the run."""

    def __init__(self):
        self.tapes = []
        super().__init__()

    def _serve(self, connection):
        tape = _Tape(connection)
        self.tapes.append(tape)
        super()._serve(tape)


def requests_in(stream):
    """(headers, body) of each HTTP/1.1 request in the bytes of one connection."""
    while stream:
        head, _, rest = stream.partition(b"\r\n\r\n")
        fields = (line.partition(":") for line in head.decode("latin-1").split("\r\n")[1:])
        headers = {name.strip().lower(): value.strip() for name, _, value in fields}
        length = int(headers["content-length"])
        yield headers, rest[:length]
        stream = rest[length:]


def verify(tapes, secret):
    """Every request verified with `standardwebhooks`; its envelopes (one, or a JSON array of them)."""
    from standardwebhooks import Webhook

    webhook = Webhook(secret)
    requests, envelopes = 0, []
    for tape in tapes:
        for headers, body in requests_in(b"".join(tape.chunks)):
            payload = webhook.verify(body, headers)       # raises if the signature does not match
            requests += 1
            envelopes += payload if isinstance(payload, list) else [payload]
    ids = {envelope["id"] for envelope in envelopes}
    return {"requests": requests, "envelopes": len(envelopes), "event_ids": len(ids),
            "all_evt": all(i.startswith("evt_") for i in ids),
            "scan_created": all(envelope["type"] == "scan.created" for envelope in envelopes)}


def receiver_process(pipe):
    """Serve until told to stop: "reset" starts a run, ("check", secret) verifies it and reports its CPU."""
    receiver = RecordingReceiver()
    pipe.send(receiver.url)
    started = time.process_time()
    while (command := pipe.recv()) is not None:
        if command == "reset":
            receiver.tapes = []
            started = time.process_time()
            pipe.send(None)
        else:
            cpu = time.process_time() - started
            pipe.send({**verify(receiver.tapes, command[1]), "cpu": cpu})


# the two dispatchers -----------------------------------------------------------------------------------

def deliver_batched(registry, k, split):
    """Deliver everything due, K envelopes per signed POST; adds the CPU of each part to `split`."""
    config, engine = registry["webhooks.settings"], registry["dbengine"]
    sender = transport.Sender(registry["webhooks.url_policy"], config.timeout, config.max_response_bytes)
    signing_secrets = SigningSecrets(registry.settings)
    clock = time.thread_time
    try:
        while True:
            started = clock()
            rows = claim(engine, config, max(CLAIM_BATCH, k))
            split["database"] += clock() - started
            if not rows:
                return
            by_endpoint = collections.defaultdict(list)
            for row in rows:
                by_endpoint[row.endpoint_id].append(row)
            attempted = []
            for mine in by_endpoint.values():
                for start in range(0, len(mine), k):
                    chunk = mine[start:start + k]
                    started = clock()
                    body = ("[" + ",".join(row.body for row in chunk) + "]").encode("utf-8")
                    headers = signing.signed_headers(signing_secrets.of(chunk[0], utcnow()), new_id("msg_"),
                                                     time.time(), body)
                    signed = clock()
                    outcome = sender.post(chunk[0].url, headers, body)
                    split["sign"] += signed - started
                    split["http"] += clock() - signed
                    attempted += [(row, outcome) for row in chunk]
            started = clock()
            record(engine, config, attempted)
            split["database"] += clock() - started
    finally:
        sender.close()


def queue_events(engine, endpoint_id, count):
    """`count` pending scan.created deliveries, as the worker's expansion of a scan batch writes them."""
    now = utcnow()
    batch = [scan_data({"short_id": "bench", "scanned_at": now, "country": "DE", "device": "mobile", "os": "iOS",
                        "browser": "Mobile Safari", "referrer": None})] * count
    rows = scan_deliveries(json.dumps(batch), endpoint_id, now)
    with engine.begin() as connection:
        connection.execute(insert(WebhookDelivery), rows)


def run(variant, registry, endpoint_id, count, pipe, secret):
    """One timed delivery of `count` events; returns its numbers, after the receiver verified them."""
    engine = registry["dbengine"]
    queue_events(engine, endpoint_id, count)
    pipe.send("reset")
    pipe.recv()
    split = collections.Counter()
    cpu, wall = time.process_time(), time.perf_counter()
    if variant is None:
        dispatch(registry)
    else:
        deliver_batched(registry, variant, split)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    pipe.send(("check", secret))
    seen = pipe.recv()
    expected_requests = count if variant is None else -(-count // variant)
    if (seen["envelopes"], seen["event_ids"], seen["requests"]) != (count, count, expected_requests) \
            or not (seen["all_evt"] and seen["scan_created"]):
        raise SystemExit(f"variant {variant or 'per event'}: the receiver saw {seen}, expected {count} "
                         f"distinct evt_ envelopes in {expected_requests} requests")
    with engine.begin() as connection:
        connection.execute(delete(WebhookDelivery))
    return {"cpu": cpu, "wall": wall, "receiver": seen["cpu"], **split}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 10, 100], help="K values of the batched runs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args(argv)
    # the receiver first, forked before this process has threads or database connections
    context = multiprocessing.get_context("fork")
    pipe, theirs = context.Pipe()
    child = context.Process(target=receiver_process, args=(theirs,), daemon=True)
    child.start()
    receiver_url = pipe.recv()
    header = machine()
    variants = [None, *args.batch]
    results = {variant: [] for variant in variants}
    with contextlib.ExitStack() as cleanup:
        workdir = tempfile.mkdtemp(prefix="exaroutes-webhook-batch-")
        cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        cleanup.callback(child.join, 5)
        cleanup.callback(pipe.send, None)
        url = (f"sqlite:///{workdir}/bench.sqlite" if args.backend == "sqlite"
               else cleanup.enter_context(postgres_database()))
        client, key = app_client(url, {"exaroutes.secret": "bench", "exaroutes.jobs.url": f"sqlite:///{workdir}/jobs.sqlite",
                                       "exaroutes.webhooks.allow_http": "true",
                                       "exaroutes.webhooks.allow_private": "true"})
        registry = client.app.registry
        cleanup.callback(registry["dbengine"].dispose)
        secret = client.post_json("/api/webhooks", {"url": receiver_url, "events": ["scan.created"]},
                                  headers={"Authorization": f"Bearer {key}"}).json["secret"]
        with registry["dbengine"].connect() as connection:
            endpoint_id = connection.scalar(select(WebhookEndpoint.id))
        for _ in range(args.rounds):
            for variant in variants:
                results[variant].append(run(variant, registry, endpoint_id, args.events, pipe, secret))
    report(args, header, results)


def report(args, header, results):
    """The results as a Markdown table, under the machine and its load at the start and the end."""
    n = args.events
    print(f"{args.backend}, {n} events to one endpoint, {args.rounds} rounds; {header}; load (1 min) at the end "
          f"{load():.2f}")
    print("every request verified with standardwebhooks; each run delivered N distinct evt_ envelopes")
    print("| variant | POSTs | dispatcher CPU µs/event, median (range) | wall µs/event | receiver CPU µs/event "
          "| split µs/event: serialize+sign / HTTP / database |")
    print("|---|---|---|---|---|---|")
    for variant, runs in results.items():

        def per_event(name, runs=runs):
            return statistics.median(r[name] for r in runs) * 1e6 / n

        cpus = sorted(r["cpu"] * 1e6 / n for r in runs)
        split = ("-" if variant is None else
                 f"{per_event('sign'):.1f} / {per_event('http'):.1f} / {per_event('database'):.1f}")
        name = "per event (product dispatch)" if variant is None else f"batched, K = {variant}"
        posts = n if variant is None else -(-n // variant)
        print(f"| {name} | {posts} | **{statistics.median(cpus):.1f}** ({cpus[0]:.1f}-{cpus[-1]:.1f}) | "
              f"{per_event('wall'):.1f} | {per_event('receiver'):.1f} | {split} |")

if __name__ == "__main__":
    main()
