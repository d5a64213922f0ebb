"""Nothing acknowledged is ever lost: crash the server mid-burst and prove it.

Each run sends a burst of application submissions through the public API, each with its own
``Idempotency-Key``, from many clients at once. Part-way through, the server is killed with
SIGKILL (master and workers, no clean shutdown) — or, with ``--kill postgres``, the PostgreSQL
server is stopped in immediate mode and started again. The server is restarted, every request that
got no answer is replayed with the same key until it is answered, and a sample of answered ones is
replayed too. Then the database must hold every submission exactly once, each acknowledged
reference must be the one stored for its key, and ``civitas audit verify`` must pass.

There is no peer to run beside Civitas here: the reference is the issue's requirement (zero lost,
zero duplicates, audit chain intact after every run), printed beside what was measured.

    python bench/crash_test.py                         # 10 runs on SQLite and 10 on PostgreSQL
    python bench/crash_test.py --db sqlite --runs 3
    python bench/crash_test.py --db postgresql --kill postgres --runs 1   # stops the shared server!
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import ANSWERS, Instance, request


@dataclass
class RunResult:
    engine: str
    kill: str
    submissions: int
    acknowledged_before: int = 0
    unanswered: int = 0
    replay_rounds: int = 0
    stored: int = 0
    lost: int = 0
    duplicates: int = 0
    mismatched: int = 0
    replays_checked: int = 0
    stored_but_unanswered: int = 0  # committed before the crash, answer lost: the replay found it
    audit_ok: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.duplicates == 0
            and self.mismatched == 0
            and self.audit_ok
            and self.stored == self.submissions
        )


found_stored: set[str] = set()  # keys whose replay found the application already stored


def submit(instance: Instance, token: str, key: str) -> tuple[str, str]:
    """("ack", reference) when the server answered with the application, else ("none", why).
    A replay answered 200 (not 201) found the application its first attempt had stored."""
    try:
        status, body = request(
            "POST",
            instance.base_url,
            "/api/v1/applications",
            {"programme": "child-benefit", "answers": ANSWERS, "submit": True},
            {"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            timeout=20,
        )
    except (OSError, http.client.HTTPException) as exc:  # killed mid-answer: IncompleteRead
        return "none", type(exc).__name__
    if status in (200, 201):
        if status == 200:
            found_stored.add(key)
        return "ack", json.loads(body)["reference"]
    return "none", f"HTTP {status}"


def parallel(function, items: list, threads: int) -> list:
    """``[function(item) for item in items]`` on ``threads`` threads, in the items' order."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(function, items))


def postgres_outage(seconds: float) -> None:
    """Stop the PostgreSQL cluster in immediate mode (no checkpoint: like a crash), then start it."""
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    base = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]
    subprocess.run([*base, "stop", "-m", "immediate"], check=True, capture_output=True)
    time.sleep(seconds)
    subprocess.run([*base, "start"], check=True, capture_output=True)


def one_run(instance: Instance, citizens: list[dict], run: int, args) -> RunResult:
    result = RunResult(instance.engine, args.kill, args.submissions)
    plan = [
        (f"crash-{run}-{n:05d}-{random.randrange(10**9)}", citizens[n % len(citizens)])
        for n in range(args.submissions)
    ]
    answers: dict[str, tuple[str, str]] = {}
    work: queue.Queue = queue.Queue()
    for item in plan:
        work.put(item)
    acked = threading.Event()
    lock = threading.Lock()

    def client() -> None:
        while True:
            try:
                key, citizen = work.get_nowait()
            except queue.Empty:
                return
            outcome = submit(instance, citizen["token"], key)
            with lock:
                answers[key] = outcome
                done = sum(1 for kind, _ in answers.values() if kind == "ack")
            if done >= args.submissions * args.kill_at:
                acked.set()

    instance.start()
    threads = [threading.Thread(target=client) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    acked.wait(timeout=120)
    if args.kill == "server":
        instance.kill()
    else:
        postgres_outage(args.outage)
    for thread in threads:
        thread.join()
    with lock:
        result.acknowledged_before = sum(1 for kind, _ in answers.values() if kind == "ack")
        result.unanswered = args.submissions - result.acknowledged_before
    if instance.server is None:
        instance.start()

    # replay every unanswered request with its key until it is answered
    pending = [(key, citizen) for key, citizen in plan if answers[key][0] != "ack"]
    while pending and result.replay_rounds < 20:
        result.replay_rounds += 1
        outcomes = parallel(
            lambda item: submit(instance, item[1]["token"], item[0]), pending, args.concurrency
        )
        still = []
        for (key, citizen), outcome in zip(pending, outcomes, strict=True):
            if outcome[0] == "ack":
                answers[key] = outcome
            else:
                still.append((key, citizen))
        pending = still
        if pending:
            time.sleep(1)
    if pending:
        result.notes.append(f"{len(pending)} requests still unanswered after 20 rounds")
    result.stored_but_unanswered = len(found_stored & {key for key, _ in plan})

    # replaying an answered request must give back the same application, not a new one
    sample = random.sample(
        [(k, c) for k, c in plan if answers[k][0] == "ack"], min(25, args.submissions)
    )
    outcomes = parallel(lambda item: submit(instance, item[1]["token"], item[0]), sample, 8)
    for (key, _citizen), outcome in zip(sample, outcomes, strict=True):
        result.replays_checked += 1
        if outcome != answers[key]:
            result.mismatched += 1
            result.notes.append(f"replay of {key} answered {outcome}, first {answers[key]}")
    instance.stop()

    rows = instance.query(
        "SELECT idempotency_key, reference FROM applications_application "
        "WHERE idempotency_key LIKE %s",
        (f"api:crash-{run}-%",),
    )
    stored: dict[str, list[str]] = {}
    for key, reference in rows:
        stored.setdefault(key.removeprefix("api:"), []).append(reference)
    result.stored = sum(len(refs) for refs in stored.values())
    result.duplicates = sum(len(refs) - 1 for refs in stored.values() if len(refs) > 1)
    for key, _citizen in plan:
        kind, reference = answers[key]
        if key not in stored:
            result.lost += 1 if kind == "ack" else 0
            if kind != "ack":
                result.notes.append(f"{key} never answered and not stored")
        elif kind == "ack" and reference not in stored[key]:
            result.mismatched += 1
    verify = subprocess.run(
        [sys.executable, "-m", "civitas.manage", "audit", "verify"],
        env=instance.env,
        capture_output=True,
        text=True,
        check=False,
    )
    result.audit_ok = verify.returncode == 0
    if not result.audit_ok:
        result.notes.append(verify.stderr.strip()[-300:])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--kill", choices=["server", "postgres"], default="server")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--submissions", type=int, default=400, help="per run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--citizens", type=int, default=20)
    parser.add_argument("--kill-at", type=float, default=0.4, help="share acknowledged first")
    parser.add_argument("--outage", type=float, default=2.0, help="seconds PostgreSQL is down")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if args.kill == "postgres" and engines != ["postgresql"]:
        parser.error("--kill postgres needs --db postgresql")
    everything: list[RunResult] = []
    for engine in engines:
        instance = Instance(engine, name="crash", workers=args.workers)
        try:
            print(f"== {engine}: setting up (migrate, demo programmes, {args.citizens} citizens)")
            citizens = instance.create(citizens=args.citizens)
            for run in range(args.runs):
                started = time.monotonic()
                result = one_run(instance, citizens, run, args)
                everything.append(result)
                print(
                    f"{engine} run {run + 1}/{args.runs} (kill {args.kill}): "
                    f"{result.acknowledged_before} answered before the crash, "
                    f"{result.unanswered} replayed ({result.replay_rounds} rounds, "
                    f"{result.stored_but_unanswered} of them already stored); stored "
                    f"{result.stored}/{result.submissions}, lost {result.lost}, duplicates "
                    f"{result.duplicates}, mismatched {result.mismatched}, audit "
                    f"{'ok' if result.audit_ok else 'BROKEN'} "
                    f"[{time.monotonic() - started:.0f}s]"
                )
                for note in result.notes[:5]:
                    print(f"    {note}")
        finally:
            instance.destroy()
    print("\n== summary (requirement: 0 lost, 0 duplicates, audit chain intact after every run)")
    for engine in engines:
        runs = [r for r in everything if r.engine == engine]
        print(
            f"{engine:10} kill={args.kill:8} runs={len(runs):2} submissions="
            f"{sum(r.submissions for r in runs):5} crash-unanswered={sum(r.unanswered for r in runs):5} "
            f"lost={sum(r.lost for r in runs)} duplicates={sum(r.duplicates for r in runs)} "
            f"mismatched={sum(r.mismatched for r in runs)} "
            f"audit_ok={sum(r.audit_ok for r in runs)}/{len(runs)}"
        )
    return 0 if all(r.ok for r in everything) else 1


if __name__ == "__main__":
    raise SystemExit(main())
