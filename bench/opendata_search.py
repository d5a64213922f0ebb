"""package_search over 100,000 datasets: Civitas's in-memory index beside the same search done
as SQL through the database, in the same run.

The issue's goal: p50 <= 50 ms. Each query is a whole ``package_search`` call as the API answers
it - words and/or filters, five facets (organization, tags, res_format, license_id, theme), the
first 10 results read from the database and serialised as CKAN package dictionaries. CKAN's own
engine (Solr) cannot run on this machine, so the side-by-side reference is the database doing the
search: ``icontains`` over title and notes, the filters, the count, the first page, and the two
facets SQL can group directly (publisher and licence) - less work than ours, so its ratio flatters
it.

It also measures the cold start: the first ``package_search`` of a new process (a child process
started by this one), which loads the index snapshot from disk and checks it against the
database, beside building the index from the database alone (``--rebuild``; about a minute).

    python bench/opendata_search.py                  # 100,000 datasets, SQLite (var/bench/)
    python bench/opendata_search.py --postgres       # the same on PostgreSQL
    python bench/opendata_search.py --datasets 20000 --queries 100
    python bench/opendata_search.py --rebuild        # also time a full build from the database

The catalogue is created once per database by bulk insert and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_VAR = ROOT / "var" / "bench"
GOAL_MS = 50.0
WORDS = [
    "health",
    "hospital",
    "school",
    "budget",
    "transport",
    "road",
    "rail",
    "water",
    "flood",
    "air",
    "quality",
    "crime",
    "court",
    "population",
    "census",
    "birth",
    "death",
    "income",
    "tax",
    "benefit",
    "pension",
    "housing",
    "rent",
    "energy",
    "electricity",
    "waste",
    "recycling",
    "forest",
    "farm",
    "crop",
    "fishery",
    "tourism",
    "museum",
    "library",
    "election",
    "vote",
    "parliament",
    "procurement",
    "contract",
    "salary",
    "staff",
    "vaccine",
    "disease",
    "clinic",
    "pharmacy",
    "traffic",
    "accident",
    "bus",
    "airport",
    "port",
    "trade",
    "export",
    "import",
    "price",
    "inflation",
    "employment",
    "unemployment",
    "wage",
    "poverty",
    "food",
    "nutrition",
    "drought",
    "rainfall",
    "temperature",
    "earthquake",
    "land",
    "parcel",
    "address",
    "building",
    "permit",
]
FORMATS = ["CSV", "JSON", "XLSX", "PDF", "GeoJSON", "Parquet", "XML", "ZIP"]
LICENCES = ["cc-by", "cc-by-sa", "cc-zero", "odc-odbl", "other-open", "notspecified"]
THEMES = [
    "AGRI",
    "ECON",
    "EDUC",
    "ENER",
    "ENVI",
    "GOVE",
    "HEAL",
    "JUST",
    "REGI",
    "SOCI",
    "TECH",
    "TRAN",
]


def configure(postgres: bool) -> None:
    if postgres:
        base = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
        url = f"{base.rstrip('/')}/civitas_bench_opendata_search"
        import psycopg

        with psycopg.connect(f"{base.rstrip('/')}/postgres", autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'civitas_bench_opendata_search'"
            ).fetchone()
            if not exists:
                connection.execute('CREATE DATABASE "civitas_bench_opendata_search"')
    else:
        BENCH_VAR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{BENCH_VAR / 'opendata_search.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civitas.config.settings")
    os.environ.setdefault("CIVITAS_ENV", "development")
    os.environ["DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(count: int) -> None:
    from django.db import transaction

    from civitas.opendata.models import CatalogueRevision, Dataset, Group, Organization, Resource

    have = Dataset.objects.filter(name__startswith="bench-").count()
    if have >= count:
        return
    print(f"  creating {count - have:,} datasets (once)...", flush=True)
    started = time.perf_counter()
    rng = random.Random(42)
    orgs = [
        Organization.objects.get_or_create(
            name=f"bench-org-{i}", defaults={"title": f"Ministry {i}"}
        )[0]
        for i in range(40)
    ]
    groups = [
        Group.objects.get_or_create(name=f"bench-group-{i}", defaults={"title": f"Group {i}"})[0]
        for i in range(12)
    ]
    tags = [
        f"{a}-{b}" if i % 3 else a
        for i, (a, b) in enumerate(zip(WORDS * 4, WORDS[7:] * 4 + WORDS[:7] * 4, strict=True))
    ][:300]
    now = datetime(2026, 6, 1, tzinfo=UTC)
    through = Dataset.groups.through
    for start in range(have, count, 5000):
        datasets, resources, links = [], [], []
        for i in range(start, min(start + 5000, count)):
            words = rng.sample(WORDS, 4)
            created = now - timedelta(days=rng.randint(0, 2000))
            dataset = Dataset(
                id=uuid.uuid4(),
                name=f"bench-{i:06d}",
                title=f"{words[0].title()} {words[1]} by {words[2]} {2000 + i % 26}",
                notes=" ".join(rng.choices(WORDS, k=30)),
                organization=rng.choice(orgs),
                private=rng.random() < 0.05,
                license_id=rng.choice(LICENCES),
                tags=rng.sample(tags, rng.randint(1, 5)),
                themes=rng.sample(THEMES, rng.randint(0, 2)),
                frequency=rng.choice(["MONTHLY", "ANNUAL", "IRREG", ""]),
                metadata_created=created,
                metadata_modified=created + timedelta(days=rng.randint(0, 300)),
                index_revision=1,
            )
            datasets.append(dataset)
            for position in range(rng.randint(1, 3)):
                resources.append(
                    Resource(
                        dataset=dataset,
                        name=f"{words[3]} {position}",
                        format=rng.choice(FORMATS),
                        url=f"https://data.example/{i}/{position}",
                        position=position,
                        created=created,
                        metadata_modified=created,
                    )
                )
            if rng.random() < 0.3:
                links.append(through(dataset_id=dataset.id, group_id=rng.choice(groups).id))
        with transaction.atomic():
            Dataset.objects.bulk_create(datasets)
            Resource.objects.bulk_create(resources)
            through.objects.bulk_create(links)
    head, _ = CatalogueRevision.objects.get_or_create(id=1)
    head.revision += 1
    head.token = uuid.uuid4().hex
    head.save()
    print(f"  created in {time.perf_counter() - started:.0f} s", flush=True)


def queries(n: int) -> list[dict]:
    rng = random.Random(7)
    out = []
    for _ in range(n):
        data: dict = {
            "facet.field": ["organization", "tags", "res_format", "license_id", "theme"],
            "rows": 10,
        }
        kind = rng.random()
        if kind < 0.4:
            data["q"] = rng.choice(WORDS)
        elif kind < 0.7:
            data["q"] = f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
        if rng.random() < 0.5:
            data["fq"] = rng.choice(
                [
                    f"res_format:{rng.choice(FORMATS)}",
                    f"organization:bench-org-{rng.randint(0, 39)}",
                    f"license_id:{rng.choice(LICENCES)}",
                ]
            )
        out.append(data)
    return out


def database_search(data: dict):
    """The reference: the same search as SQL through the ORM (text, filters, count, page, two
    facets)."""
    from django.db.models import Count, Q

    from civitas.opendata.models import Dataset

    found = Dataset.objects.filter(state="active", private=False)
    for word in (data.get("q") or "").split():
        found = found.filter(Q(title__icontains=word) | Q(notes__icontains=word))
    fq = data.get("fq", "")
    if fq.startswith("res_format:"):
        found = found.filter(resources__format=fq.split(":", 1)[1]).distinct()
    elif fq.startswith("organization:"):
        found = found.filter(organization__name=fq.split(":", 1)[1])
    elif fq.startswith("license_id:"):
        found = found.filter(license_id=fq.split(":", 1)[1])
    total = found.count()
    page = list(
        found.select_related("organization")
        .prefetch_related("resources", "groups")
        .order_by("-metadata_modified")[:10]
    )
    by_org = list(found.values("organization__name").annotate(n=Count("id")).order_by("-n")[:50])
    by_licence = list(found.values("license_id").annotate(n=Count("id")).order_by("-n")[:50])
    return total, page, by_org, by_licence


def measure(run, items: list[dict]) -> list[float]:
    times = []
    for data in items:
        started = time.perf_counter()
        run(data)
        times.append((time.perf_counter() - started) * 1000)
    return times


def cold_probe() -> None:
    """In a new process: time the first package_search (snapshot load, check, query)."""
    from civitas.opendata.ckan.actions import package_search
    from civitas.opendata.ckan.context import Context
    from civitas.opendata.search.index import INDEX
    from civitas.opendata.selectors import ANONYMOUS

    ctx = Context(access=ANONYMOUS, site="http://localhost")
    data = {"q": "health", "facet.field": ["organization", "tags", "res_format"], "rows": 10}
    started = time.perf_counter()
    result = package_search(ctx, data)
    first = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    package_search(ctx, dict(data))
    second = (time.perf_counter() - started) * 1000
    print(
        json.dumps(
            {"first_ms": first, "second_ms": second, "size": INDEX.size, "count": result["count"]}
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="also time a full index build")
    parser.add_argument("--cold-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    configure(args.postgres)
    if args.cold_probe:
        cold_probe()
        return
    from civitas.opendata.ckan.actions import package_search
    from civitas.opendata.ckan.context import Context
    from civitas.opendata.search import snapshot
    from civitas.opendata.search.index import INDEX
    from civitas.opendata.selectors import ANONYMOUS

    print(f"  load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    populate(args.datasets)
    rebuild_s = None
    if args.rebuild or not snapshot.path().is_file():
        snapshot.path().unlink(missing_ok=True)
        started = time.perf_counter()
        INDEX.ensure_fresh()
        rebuild_s = time.perf_counter() - started
        print(
            f"  index built from the database alone in {rebuild_s:.1f} s ({INDEX.size:,} datasets)"
        )
    else:
        INDEX.ensure_fresh()
    snapshot.save(INDEX)
    probe = subprocess.run(
        [sys.executable, __file__, "--cold-probe", *(["--postgres"] if args.postgres else [])],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    cold = json.loads(probe.stdout.strip().splitlines()[-1])
    print(
        f"  cold start: first package_search of a new process {cold['first_ms']:.0f} ms "
        f"(snapshot loaded and checked against the database), second {cold['second_ms']:.1f} ms"
    )
    ctx = Context(access=ANONYMOUS, site="http://localhost")
    items = queries(args.queries)
    warm = items[:10]
    measure(lambda d: package_search(ctx, dict(d)), warm)
    measure(database_search, warm)
    ours = measure(lambda d: package_search(ctx, dict(d)), items)
    theirs = measure(database_search, items)
    sample = package_search(ctx, dict(items[0]))
    assert sample["count"] >= 0 and "search_facets" in sample
    engine = "PostgreSQL" if args.postgres else "SQLite"

    def p(values, q):
        return statistics.quantiles(values, n=100)[q - 1]

    print(f"\npackage_search over {INDEX.size:,} datasets on {engine}, {len(items)} queries")
    print(f"{'':<28}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'Civitas (index + page)':<28}{statistics.median(ours):>10.1f}{p(ours, 95):>10.1f}")
    print(f"{'database search (ORM)':<28}{statistics.median(theirs):>10.1f}{p(theirs, 95):>10.1f}")
    ratio = statistics.median(theirs) / statistics.median(ours)
    verdict = "meets" if statistics.median(ours) <= GOAL_MS else "MISSES"
    print(
        f"\nratio (database / Civitas, p50): {ratio:.1f}x; goal p50 <= {GOAL_MS:.0f} ms: {verdict}"
    )
    built = f"{rebuild_s:.1f} s" if rebuild_s is not None else "not measured (--rebuild)"
    print(
        f"cold start: first search of a new process {cold['first_ms']:.0f} ms; "
        f"building from the database alone {built}"
    )
    print(
        f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
