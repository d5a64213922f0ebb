"""A synthetic national registry for the back-office benchmarks, written at bulk speed.

Households and people are drawn with numpy (shapes like the demo population: older people living
alone or in couples, families with up to four children, lognormal incomes, a few pregnancies) and
written with executemany on SQLite or COPY on PostgreSQL. Each benchmark keeps its database under
``var/bench/`` and reuses it, so the long set-up runs once.

    setup(database_url, households=N, seed=S)   # migrate + load the registry if not there yet
"""

from __future__ import annotations

import io
import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
BENCH_VAR = ROOT / "var" / "bench"
TODAY = date(2026, 1, 15)
REGION_CODES = ["capital", "north", "south", "east", "west"]
REGION_SHARES = [0.30, 0.15, 0.20, 0.20, 0.15]
GIVEN = ["Amina", "Sofia", "Leila", "Maria", "Omar", "Lucas", "Karim", "Jean", "Nadia", "Yusuf"]
FAMILY = ["Haddad", "Martin", "Benali", "Dubois", "Mansour", "Silva", "Okafor", "Laurent", "Rossi"]


def database_url(name: str, postgres: bool) -> str:
    if postgres:
        base = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
        return f"{base.rstrip('/')}/{name}"
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{BENCH_VAR / (name + '.sqlite3')}"


def configure(url: str) -> None:
    """Point Django at the benchmark database (call before django.setup())."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CIVITAS_ENV", "development")
    os.environ["DEBUG"] = "false"  # no query log: it would cost time and memory at this scale
    os.environ["CIVITAS_PRIVATE_DIR"] = str(BENCH_VAR / "private")
    os.environ["DJANGO_SETTINGS_MODULE"] = "civitas.config.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    if url.startswith("postgres"):
        _create_postgres_database(url)


def _create_postgres_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def luhn_ids(serials: np.ndarray) -> np.ndarray:
    """Nine-digit serials with their Luhn check digit, as the registry's national IDs."""
    digits = np.stack([(serials // 10**k) % 10 for k in range(9)], axis=1)  # right to left
    doubled = digits.copy()
    doubled[:, 0::2] *= 2
    doubled[doubled > 9] -= 9
    check = (10 - doubled.sum(axis=1) % 10) % 10
    return np.char.add(np.char.zfill(serials.astype(str), 9), check.astype(str))


def draw(households: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = households
    elderly = rng.random(n) < 0.15
    adults = np.where(elderly, rng.integers(1, 3, n), rng.choice([1, 2, 2, 2], n))
    children = np.where(elderly, 0, rng.choice([0, 0, 1, 1, 2, 2, 3, 4], n))
    size = adults + children
    household = np.repeat(np.arange(n, dtype=np.int64), size)
    first = np.r_[0, np.cumsum(size)[:-1]]
    position = np.arange(len(household)) - np.repeat(first, size)
    is_adult = position < adults[household]
    old = elderly[household]
    age = np.where(
        is_adult,
        np.where(old, rng.integers(65, 93, len(household)), rng.integers(19, 61, len(household))),
        rng.integers(0, 18, len(household)),
    )
    days = rng.integers(0, 365, len(household))
    birth = (np.datetime64(TODAY) - (age * 365 + days).astype("timedelta64[D]")).astype(
        "datetime64[D]"
    )
    female = np.where(position == 0, True, rng.random(len(household)) < 0.4)
    working = is_adult & ~old & (rng.random(len(household)) < 0.8)
    income = np.where(working, np.round(rng.lognormal(6.6, 0.6, len(household)), 2), 0.0)
    income = np.where(old & is_adult, np.round(rng.uniform(0, 400, len(household)), 2), income)
    pregnant = female & is_adult & (age >= 18) & (age <= 42) & (rng.random(len(household)) < 0.06)
    rent = np.where(rng.random(n) < 0.35, 0.0, rng.integers(30, 190, n) * 5.0)
    region = rng.choice(len(REGION_CODES), n, p=REGION_SHARES)
    return {
        "household": household,
        "is_adult": is_adult,
        "birth": birth,
        "female": female,
        "income": income,
        "pregnant": pregnant,
        "rent": rent,
        "region": region,
        "given": rng.integers(0, len(GIVEN), len(household)),
        "family": rng.integers(0, len(FAMILY), n),
    }


def _write(cursor, vendor: str, table: str, columns: list[str], rows) -> None:
    if vendor == "postgresql":
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for count, row in enumerate(rows, 1):
                buffer.write("\t".join(_pg(v) for v in row) + "\n")
                if count % 200_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        return
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608 - our own table names


def _pg(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool | np.bool_):
        return "t" if value else "f"
    return str(value)


def load_registry(households: int, seed: int, *, log=print) -> None:
    """Write ``households`` households with their members (idempotent: skipped when present)."""
    from django.db import connection, transaction

    from civitas.demo import services as demo
    from civitas.registry.models import Household, Region

    demo.load_geography()
    demo.load_programmes()
    present = Household.objects.count()
    if present >= households:
        return
    if present:
        raise SystemExit(f"the benchmark database holds {present} households, not {households}")
    started = time.perf_counter()
    data = draw(households, seed)
    regions = {r.code: r.pk for r in Region.objects.all()}
    region_ids = np.array([regions[c] for c in REGION_CODES])
    n_persons = len(data["household"])
    ids = luhn_ids(np.arange(200_000_001, 200_000_001 + n_persons, dtype=np.int64))
    birth = data["birth"].astype(str)
    vendor = connection.vendor
    n_households = len(data["rent"])
    household_rows = zip(
        range(1, n_households + 1),
        [f"B{i:09d}" for i in range(n_households)],
        [f"{i % 240 + 1} Station Lane" for i in range(n_households)],
        region_ids[data["region"]].tolist(),
        np.char.mod("%.2f", data["rent"]).tolist(),
        strict=True,
    )
    family = np.array(FAMILY)[data["family"]][data["household"]].tolist()
    # national ID and pregnancy are encrypted at rest, the ID searchable by keyed hash: write
    # them as the model would (civitas.security.fields)
    from civitas.registry.models import Person

    nid_field, hash_field, flag_field = (
        Person._meta.get_field(name) for name in ("national_id", "national_id_hash", "pregnant")
    )
    nids = ids.tolist()
    person_rows = zip(
        range(1, n_persons + 1),
        (nid_field.get_prep_value(str(v)) for v in nids),
        (hash_field.hash_of(v) for v in nids),
        np.array(GIVEN)[data["given"]].tolist(),
        family,
        birth.tolist(),
        np.where(data["female"], "female", "male").tolist(),
        np.char.mod("%.2f", data["income"]).tolist(),
        (flag_field.get_prep_value(bool(v)) for v in data["pregnant"].tolist()),
        strict=True,
    )
    membership_rows = zip(
        range(1, n_persons + 1),
        (data["household"] + 1).tolist(),
        range(1, n_persons + 1),
        np.where(data["is_adult"], "adult", "child").tolist(),
        strict=True,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        _write(
            cursor,
            vendor,
            "registry_household",
            ["id", "reference", "address", "region_id", "monthly_rent"],
            household_rows,
        )
        log(f"  households written ({time.perf_counter() - started:.0f} s)")
        _write(
            cursor,
            vendor,
            "registry_person",
            [
                "id",
                "national_id",
                "national_id_hash",
                "given_name",
                "family_name",
                "birth_date",
                "sex",
                "monthly_income",
                "pregnant",
            ],
            person_rows,
        )
        log(f"  persons written ({time.perf_counter() - started:.0f} s)")
        _write(
            cursor,
            vendor,
            "registry_membership",
            ["id", "household_id", "person_id", "role"],
            membership_rows,
        )
        if vendor == "postgresql":
            for table in ("registry_household", "registry_person", "registry_membership"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our own table names
                    f"(SELECT MAX(id) FROM {table}))"
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(
        f"  registry of {households:,} households and {n_persons:,} persons loaded in "
        f"{time.perf_counter() - started:.0f} s"
    )


def peak_memory_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and its finished helper processes (readers, file checkers)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime
