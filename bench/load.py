"""Load: application submissions and status reads at a fixed concurrency against the production
WSGI server (gunicorn), on SQLite and on PostgreSQL, printing throughput and p50/p95/p99.

Each client thread acts for its own citizen (an API token each): it sends an application with a
fresh ``Idempotency-Key`` through ``POST /api/v1/applications`` and reads the status of one of its
applications with ``GET /api/v1/applications/<reference>``, in turn, as fast as it can, for the
measured period (after a warm-up). Every response is checked; anything else than the expected
status counts as an error.

The reference is the issue's target (no open-source peer serves this API): on SQLite at least
200 submissions per second with p99 ≤ 300 ms and no errors, on this 2-core machine. The script
prints each figure beside its target and the ratio.

    python bench/load.py                              # SQLite and PostgreSQL, 16 clients, 30 s
    python bench/load.py --db sqlite --clients 32 --seconds 60 --workers 6
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import ANSWERS, Instance, percentile, request

TARGET_SUBMISSIONS_PER_SECOND = 200
TARGET_P99_MS = 300


def client(
    instance: Instance, citizen: dict, stop: threading.Event, measuring: threading.Event, out: dict
) -> None:
    headers = {"Authorization": f"Bearer {citizen['token']}"}
    mine: list[str] = []
    while not stop.is_set():
        key = uuid.uuid4().hex
        started = time.perf_counter()
        try:
            status, body = request(
                "POST",
                instance.base_url,
                "/api/v1/applications",
                {"programme": "child-benefit", "answers": ANSWERS, "submit": True},
                {**headers, "Idempotency-Key": key},
            )
            ok = status == 201
            if ok:
                mine.append(json.loads(body)["reference"])
        except OSError:
            ok = False
        elapsed = time.perf_counter() - started
        if measuring.is_set():
            out["submit"].append(elapsed) if ok else out["errors"].append(("submit", elapsed))
        if not mine:
            continue
        reference = random.choice(mine)
        started = time.perf_counter()
        try:
            status, body = request(
                "GET", instance.base_url, f"/api/v1/applications/{reference}", headers=headers
            )
            ok = status == 200 and json.loads(body)["reference"] == reference
        except OSError:
            ok = False
        elapsed = time.perf_counter() - started
        if measuring.is_set():
            out["read"].append(elapsed) if ok else out["errors"].append(("read", elapsed))


def measure(instance: Instance, citizens: list[dict], args) -> dict:
    stop, measuring = threading.Event(), threading.Event()
    results = [{"submit": [], "read": [], "errors": []} for _ in citizens]
    threads = [
        threading.Thread(target=client, args=(instance, citizen, stop, measuring, out))
        for citizen, out in zip(citizens, results, strict=True)
    ]
    for thread in threads:
        thread.start()
    time.sleep(args.warmup)
    measuring.set()
    started = time.monotonic()
    time.sleep(args.seconds)
    measuring.clear()
    duration = time.monotonic() - started
    stop.set()
    for thread in threads:
        thread.join()
    merged = {
        kind: [x for out in results for x in out[kind]] for kind in ("submit", "read", "errors")
    }
    merged["duration"] = duration
    return merged


def ceiling(instance: Instance, clients: int, seconds: float) -> tuple[float, float]:
    """Requests per second and p99 of ``GET /healthz``: the server and middleware alone, no
    database — what the stack can do before any application code runs."""
    stop = threading.Event()
    latencies: list[list[float]] = [[] for _ in range(clients)]

    def probe(out: list[float]) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            status, _ = request("GET", instance.base_url, "/healthz")
            if status == 200:
                out.append(time.perf_counter() - started)

    threads = [threading.Thread(target=probe, args=(out,)) for out in latencies]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    values = [x for out in latencies for x in out]
    return len(values) / seconds, percentile(values, 0.99) * 1000


def report(engine: str, figures: dict) -> bool:
    duration = figures["duration"]
    print(f"\n== {engine}: {duration:.1f} s measured")
    print(f"{'':12}{'per second':>12}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'count':>9}")
    for kind in ("submit", "read"):
        values = figures[kind]
        print(
            f"{kind:12}{len(values) / duration:12.1f}{percentile(values, 0.50) * 1000:10.1f}"
            f"{percentile(values, 0.95) * 1000:10.1f}{percentile(values, 0.99) * 1000:10.1f}"
            f"{len(values):9d}"
        )
    errors = len(figures["errors"])
    rate = len(figures["submit"]) / duration
    p99 = percentile(figures["submit"], 0.99) * 1000
    print(f"errors: {errors}")
    print(
        f"target (SQLite): >= {TARGET_SUBMISSIONS_PER_SECOND} submissions/s -> "
        f"{rate:.0f}/s (ratio {rate / TARGET_SUBMISSIONS_PER_SECOND:.2f}); p99 <= {TARGET_P99_MS} ms "
        f"-> {p99:.0f} ms (ratio {p99 / TARGET_P99_MS:.2f}); errors 0 -> {errors}"
    )
    return rate >= TARGET_SUBMISSIONS_PER_SECOND and p99 <= TARGET_P99_MS and errors == 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    met = {}
    for engine in engines:
        instance = Instance(engine, name="load", workers=args.workers)
        try:
            print(f"== {engine}: setting up (migrate, demo programmes, {args.clients} citizens)")
            citizens = instance.create(citizens=args.clients)
            instance.start()
            print(
                f"gunicorn: {args.workers} workers; {args.clients} clients; "
                f"{args.warmup:.0f} s warm-up, {args.seconds:.0f} s measured"
            )
            rate, p99 = ceiling(instance, args.clients, 5)
            print(
                f"ceiling: GET /healthz {rate:.0f}/s, p99 {p99:.0f} ms (no database, no app code)"
            )
            met[engine] = report(engine, measure(instance, citizens, args))
        finally:
            instance.destroy()
    return 0 if met.get("sqlite", True) else 1


if __name__ == "__main__":
    raise SystemExit(main())
