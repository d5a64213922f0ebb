"""API robustness, the long run: schemathesis against the live production server (granian, as ``civitas serve`` runs it) on
the OpenAPI document of /api/v1/, at least 1,000 generated requests.

Every operation of the document gets valid requests (signed in with a citizen's API token, so the
application endpoints are reached) and invalid ones (negative generation: wrong types, missing
fields, bad headers). The requirement, printed beside the result: no server error, and every
response conforms to the schema the document declares for it; invalid input gets a 4xx.

    python bench/schemathesis_long.py                     # SQLite, >= 1,000 requests
    python bench/schemathesis_long.py --db postgresql --examples 100
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from bench.harness import Instance

MINIMUM_REQUESTS = 1000


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--examples", type=int, default=60, help="per operation and mode")
    args = parser.parse_args()

    instance = Instance(args.db, name="schemathesis", workers=2)
    try:
        print(f"== {args.db}: setting up (migrate, demo programmes, one citizen with a token)")
        [citizen] = instance.create(citizens=1)
        instance.start()
        headers = {"Authorization": f"Bearer {citizen['token']}"}
        schema = schemathesis.openapi.from_url(f"{instance.base_url}/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        requests_by_status: collections.Counter = collections.Counter()
        failures: dict[str, set[str]] = collections.defaultdict(set)
        notes: dict[str, str] = {}
        started = time.monotonic()

        def fuzz(operation, mode: GenerationMode) -> None:
            checks = [not_a_server_error]
            if mode == GenerationMode.POSITIVE:
                checks.append(response_schema_conformance)

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=args.examples,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                response = case.call(headers=headers, timeout=30)
                requests_by_status[response.status_code] += 1
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except Exception as failure:
                    failures[operation.label].add(str(failure).strip().splitlines()[0][:200])

            try:
                run()
            except Exception as problem:  # e.g. no invalid input can be made for an operation
                notes[f"{operation.label} ({mode.value})"] = type(problem).__name__

        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                fuzz(operation, mode)
        elapsed = time.monotonic() - started
        total = sum(requests_by_status.values())
        server_errors = sum(n for status, n in requests_by_status.items() if status >= 500)
        print(f"{len(operations)} operations, {total} requests in {elapsed:.0f} s")
        print(
            "responses by status: "
            + ", ".join(f"{s}: {n}" for s, n in sorted(requests_by_status.items()))
        )
        for label, problem in sorted(notes.items()):
            print(f"  note {label}: generation stopped with {problem}")
        for label, messages in sorted(failures.items()):
            for message in sorted(messages):
                print(f"  FAIL {label}: {message}")
        print(
            f"requirement: >= {MINIMUM_REQUESTS} requests -> {total}; 0 server errors -> "
            f"{server_errors}; 0 responses off schema -> {sum(len(m) for m in failures.values())} "
            "distinct failures"
        )
        return 0 if total >= MINIMUM_REQUESTS and server_errors == 0 and not failures else 1
    finally:
        instance.destroy()


if __name__ == "__main__":
    raise SystemExit(main())
