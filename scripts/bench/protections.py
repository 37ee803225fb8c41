"""What protections cost on the redirect, measured against an unprotected code in the same run.

    .venv/bin/python scripts/bench/protections.py [--scans 2000] [--database-url URL]

Serves `GET /r/{id}` in-process (WebTest over the real app, pyramid_tm commits included) for one code
of each kind, interleaved in rounds so machine noise hits every kind alike, and prints the median
and p95 per scan. Also times the building blocks: argon2id hash/verify and one Fernet decryption.
Default database: a fresh SQLite file in a temporary directory.
"""
import argparse
import statistics
import tempfile
import time

from exaroutes.protections.encryption import decrypt_text, encrypt_text
from exaroutes.protections.passwords import hash_password, verify_password
from harness import app_client

KINDS = {
    "plain (baseline)": {},
    "expiresAt": {"expiresAt": "2999-01-01T00:00:00Z"},
    "maxScans (atomic claim)": {"maxScans": 2_000_000_000},
    "encrypt": {"encrypt": True},
}


def timed(call, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def report(name, samples):
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{name:28} median {statistics.median(samples) * 1e3:8.3f} ms   p95 {p95 * 1e3:8.3f} ms   n={len(samples)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scans", type=int, default=2000)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        testapp, key = app_client(args.database_url or f"sqlite:///{tmp}/bench.sqlite",
                                  {"exaroutes.secret": "bench-secret"})
        auth = {"Authorization": f"Bearer {key}"}
        ids = {kind: testapp.post_json("/api/qr/codes", {"data": "https://example.com/", **body},
                                       headers=auth).json["id"] for kind, body in KINDS.items()}
        samples = {kind: [] for kind in KINDS}
        for _ in range(args.scans):
            for kind, short_id in ids.items():
                start = time.perf_counter()
                testapp.get(f"/r/{short_id}", status=302)
                samples[kind].append(time.perf_counter() - start)
        backend = testapp.app.registry["dbengine"].dialect.name
        print(f"GET /r/{{id}} on {backend}, {args.scans} scans per kind, interleaved")
        for kind in KINDS:
            report(kind, samples[kind])
    settings = {"exaroutes.secret": "bench-secret"}
    token = encrypt_text(settings, "https://example.com/")
    report("Fernet decrypt", timed(lambda: decrypt_text(settings, token), 2000))
    report("argon2id hash", timed(lambda: hash_password("correct horse"), 20))
    code = type("Code", (), {"password_hash": hash_password("correct horse")})()
    report("argon2id verify", timed(lambda: verify_password(code, "correct horse"), 20))


if __name__ == "__main__":
    main()
