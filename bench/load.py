"""Load: application submissions and status reads at a fixed concurrency against the production
WSGI server (granian, with the command ``civitas serve`` runs; ``--server gunicorn`` runs gunicorn's
threaded workers on the same application to compare), on SQLite and on PostgreSQL, printing
throughput, p50/p95/p99 and the CPU each side spent.

Each client acts for its own citizen (an API token each): it sends an application with a fresh
``Idempotency-Key`` through ``POST /api/v1/applications`` and reads the status of one of its
applications with ``GET /api/v1/applications/<reference>``, in turn, as fast as it can, for the
measured period (after a warm-up). Every response is checked; anything else than the expected
status counts as an error.

The clients are coroutines on one event loop with a small HTTP/1.1 keep-alive client (no
threads, no HTTP library), so the load generator leaves the CPU to the server it measures. The
CPU both sides used during the measured period is read from the kernel (``/proc`` for the
server's processes, ``getrusage`` for this one) and printed per request: on a shared machine the
throughput depends on who else runs, the CPU per request much less.

The reference is the issue's target (no open-source peer serves this API): on SQLite at least
200 submissions per second with p99 ≤ 300 ms and no errors, on this 2-core machine. The script
prints each figure beside its target and the ratio.

    python bench/load.py                              # SQLite and PostgreSQL, 16 clients, 30 s
    python bench/load.py --db sqlite --clients 32 --seconds 60 --workers 3 --threads 4
    python bench/load.py --db sqlite --profile        # one process: queries and CPU per request
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import ANSWERS, Instance, percentile

TARGET_SUBMISSIONS_PER_SECOND = 200
TARGET_P99_MS = 300
SUBMISSION = json.dumps({"programme": "child-benefit", "answers": ANSWERS, "submit": True})


class Connection:
    """One keep-alive HTTP/1.1 connection; reopened after any error."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.retries = 0  # requests re-sent because the server had closed the idle connection

    async def request(
        self, method: str, path: str, *, headers: dict, body: bytes = b""
    ) -> tuple[int, bytes]:
        reused = self.writer is not None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        try:
            try:
                self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
                head = await self.reader.readuntil(b"\r\n\r\n")
            except (OSError, asyncio.IncompleteReadError) as closed:
                if not reused or getattr(closed, "partial", b""):
                    raise
                # The server closed an idle keep-alive connection (a worker recycled
                # after max_requests) before answering anything on it: send the request again
                # on a new connection, as HTTP clients do. Safe for the POST too: it carries an
                # Idempotency-Key, so the server never makes two applications of it.
                self.close()
                self.retries += 1
                return await self.request(method, path, headers=headers, body=body)
            status = int(head[9:12])
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            payload = await self.reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            self.close()
            raise ConnectionError("the connection failed") from None
        if close:
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def client(port: int, token: str, until: float, measuring: list[float], out: dict) -> None:
    """Submit, read one of ours, repeat until ``until``; record only inside ``measuring``."""
    connection = Connection(port)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = SUBMISSION.encode()
    mine: list[str] = []
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        started = time.perf_counter()
        try:
            status, payload = await connection.request(
                "POST",
                "/api/v1/applications",
                headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
                body=body,
            )
            ok = status == 201
            if ok:
                mine.append(json.loads(payload)["reference"])
            else:
                out["why"][f"submit answered {status}: {payload[:120]!r}"] += 1
        except ConnectionError as failed:
            ok = False
            out["why"][f"submit: {failed}"] += 1
        _keep(out, "submit", ok, started, measuring, loop.time())
        if not mine:
            continue
        reference = random.choice(mine)
        started = time.perf_counter()
        try:
            status, payload = await connection.request(
                "GET", f"/api/v1/applications/{reference}", headers=auth
            )
            ok = status == 200 and json.loads(payload)["reference"] == reference
            if not ok:
                out["why"][f"read answered {status}: {payload[:120]!r}"] += 1
        except ConnectionError as failed:
            ok = False
            out["why"][f"read: {failed}"] += 1
        _keep(out, "read", ok, started, measuring, loop.time())
    out["retries"] += connection.retries
    connection.close()


def _keep(out: dict, kind: str, ok: bool, started: float, window: list[float], now: float) -> None:
    if window[0] <= now <= window[1]:
        elapsed = time.perf_counter() - started
        out[kind].append(elapsed) if ok else out["errors"].append((kind, elapsed))


def server_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every live process in the server's process group (master and
    workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
            if int(entry.name) == pgid:  # the master also holds its reaped (recycled) workers'
                total += int(fields[13]) + int(fields[14])  # cutime, cstime
    return total / ticks


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _measure(instance: Instance, citizens: list[dict], args) -> dict:
    loop = asyncio.get_running_loop()
    start = loop.time()
    window = [start + args.warmup, start + args.warmup + args.seconds]
    out = {"submit": [], "read": [], "errors": [], "retries": 0, "why": Counter()}
    tasks = [
        asyncio.create_task(client(instance.port, c["token"], window[1], window, out))
        for c in citizens
    ]
    await asyncio.sleep(args.warmup)
    cpu_server, cpu_client = server_cpu_seconds(instance.server.pid), own_cpu_seconds()
    await asyncio.sleep(args.seconds)
    out["server_cpu"] = server_cpu_seconds(instance.server.pid) - cpu_server
    out["client_cpu"] = own_cpu_seconds() - cpu_client
    out["load"] = os.getloadavg()
    await asyncio.gather(*tasks)
    out["duration"] = args.seconds
    return out


async def _ceiling(port: int, clients: int, seconds: float) -> tuple[float, float]:
    """Requests per second and p99 of ``GET /healthz``: the server and middleware alone, no
    database — what the stack can do before any application code runs."""
    latencies: list[float] = []
    until = asyncio.get_running_loop().time() + seconds

    async def probe() -> None:
        connection = Connection(port)
        while asyncio.get_running_loop().time() < until:
            started = time.perf_counter()
            try:
                status, _ = await connection.request("GET", "/healthz", headers={})
            except ConnectionError:
                continue
            if status == 200:
                latencies.append(time.perf_counter() - started)
        connection.close()

    await asyncio.gather(*(probe() for _ in range(clients)))
    return len(latencies) / seconds, percentile(latencies, 0.99) * 1000


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
    submissions = len(figures["submit"])
    requests = submissions + len(figures["read"]) + errors
    rate = submissions / duration
    p99 = percentile(figures["submit"], 0.99) * 1000
    print(
        f"errors: {errors}; re-sent after the server closed an idle connection: {figures['retries']}"
    )
    for why, count in figures["why"].most_common(5):  # warm-up included
        print(f"  {count} x {why}")
    print(
        f"CPU: server {figures['server_cpu']:.1f} s = {figures['server_cpu'] * 1000 / max(requests, 1):.2f}"
        f" ms per request ({figures['server_cpu'] * 1000 / max(submissions, 1):.2f} ms per "
        f"submission with its read); client {figures['client_cpu']:.1f} s = "
        f"{figures['client_cpu'] * 1000 / max(requests, 1):.2f} ms per request; load average "
        f"at the end {' '.join(f'{x:.2f}' for x in figures['load'])} on {os.cpu_count()} CPUs"
    )
    print(
        f"target (SQLite): >= {TARGET_SUBMISSIONS_PER_SECOND} submissions/s -> "
        f"{rate:.0f}/s (ratio {rate / TARGET_SUBMISSIONS_PER_SECOND:.2f}); p99 <= {TARGET_P99_MS} ms "
        f"-> {p99:.0f} ms (ratio {p99 / TARGET_P99_MS:.2f}); errors 0 -> {errors}"
    )
    return rate >= TARGET_SUBMISSIONS_PER_SECOND and p99 <= TARGET_P99_MS and errors == 0


# --- one process, no server: queries and CPU of one submission and one read ---------------------
PROFILE_CHILD = """
import io, json, sys, time, uuid, cProfile, pstats
import django
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from civitas.config.wsgi import application

token, count, top, sort = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[5]
body = json.dumps({"programme": "child-benefit", "answers": json.loads(sys.argv[4]), "submit": True})


def call(method, path, data=b"", key=None):
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)), "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
    }
    if key:
        environ["HTTP_IDEMPOTENCY_KEY"] = key
    status = []
    payload = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
    return int(status[0][:3]), payload


def submit():
    status, payload = call("POST", "/api/v1/applications", body.encode(), uuid.uuid4().hex)
    assert status == 201, payload[:300]
    return json.loads(payload)["reference"]


for _ in range(20):  # warm caches, connections, the rules
    reference = submit()
connection.force_debug_cursor = True
with CaptureQueriesContext(connection) as submitted:
    reference = submit()
submitted = list(submitted.captured_queries)  # later requests clear the log
with CaptureQueriesContext(connection) as read:
    call("GET", f"/api/v1/applications/{reference}")
read = list(read.captured_queries)
connection.force_debug_cursor = False
started = time.process_time()
for _ in range(count):
    submit()
per_submit = (time.process_time() - started) * 1000 / count
started = time.process_time()
for _ in range(count):
    call("GET", f"/api/v1/applications/{reference}")
per_read = (time.process_time() - started) * 1000 / count
print(f"submission: {len(submitted)} queries, {per_submit:.2f} ms CPU")
print(f"read:       {len(read)} queries, {per_read:.2f} ms CPU")
if top:
    for query in submitted:
        print("   ", query["sql"][:160])
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(100):
        submit()
    profiler.disable()
    pstats.Stats(profiler).sort_stats(sort).print_stats(top)
"""


def profile(instance: Instance, citizens: list[dict], args) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            PROFILE_CHILD,
            citizens[0]["token"],
            str(args.profile_count),
            str(args.profile_top),
            json.dumps(ANSWERS),
            args.profile_sort,
        ],
        env={**instance.env, "DJANGO_SETTINGS_MODULE": "civitas.config.settings"},
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=False,
    )
    print(result.stdout.rstrip())
    if result.returncode != 0:
        print(result.stderr[-3000:])
    print(f"(in one process, {args.profile_count} requests each; CPU time, not wall time)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="server worker processes (2, as civitas serve runs)",
    )
    parser.add_argument("--threads", type=int, default=None, help="threads per worker")
    parser.add_argument(
        "--server",
        choices=("gunicorn", "granian"),
        default="granian",
        help="the WSGI server: granian as civitas serve runs it, or gunicorn (pip install gunicorn)",
    )
    parser.add_argument("--profile", action="store_true", help="queries and CPU, in one process")
    parser.add_argument("--profile-count", type=int, default=300)
    parser.add_argument("--profile-top", type=int, default=0, help="print cProfile's top lines")
    parser.add_argument(
        "--profile-sort", default="cumulative", choices=("cumulative", "tottime", "ncalls")
    )
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    extra = {"WEB_THREADS": str(args.threads)} if args.threads else {}
    met = {}
    for engine in engines:
        instance = Instance(
            engine, name="load", workers=args.workers, extra_env=extra, server_kind=args.server
        )
        try:
            clients = 1 if args.profile else args.clients
            print(f"== {engine}: setting up (migrate, demo programmes, {clients} citizens)")
            citizens = instance.create(citizens=clients)
            if args.profile:
                profile(instance, citizens, args)
                continue
            instance.start()
            threads = instance.env.get("WEB_THREADS", "the config's")
            print(
                f"{args.server}: {args.workers} workers x {threads} threads; {args.clients} clients; "
                f"{args.warmup:.0f} s warm-up, {args.seconds:.0f} s measured; "
                f"load average before {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
            )
            rate, p99 = asyncio.run(_ceiling(instance.port, args.clients, 5))
            print(
                f"ceiling: GET /healthz {rate:.0f}/s, p99 {p99:.0f} ms (no database, no app code)"
            )
            met[engine] = report(engine, asyncio.run(_measure(instance, citizens, args)))
        finally:
            instance.destroy()
    return 0 if met.get("sqlite", True) else 1


if __name__ == "__main__":
    raise SystemExit(main())
