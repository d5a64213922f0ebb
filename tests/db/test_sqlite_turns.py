"""SQLite writers take turns on our lock: none fails, none is lost, a turn always ends."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.utils import OperationalError

from civitas.db.sqlite.base import DatabaseWrapper

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the turns are for SQLite's writer"),
    pytest.mark.django_db,  # lets the test open its own connections to its own files
]


def wrapper(path: Path, *, timeout: float = 20) -> DatabaseWrapper:
    settings = {
        **connection.settings_dict,
        "NAME": str(path),
        "OPTIONS": {**connection.settings_dict["OPTIONS"], "timeout": timeout},
        "CONN_MAX_AGE": 0,
    }
    return DatabaseWrapper(settings, alias=f"turns-{threading.get_ident()}")


def make_table(path: Path) -> None:
    db = wrapper(path)
    with db.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
    db.close()


def write_rows(path: Path, count: int, start: int) -> None:
    db = wrapper(path)
    for n in range(start, start + count):
        with _atomic(db), db.cursor() as cursor:
            cursor.execute("INSERT INTO t (n) VALUES (%s)", [n])
    db.close()


class _atomic:
    """transaction.atomic for a wrapper that is not in ``connections`` (the test makes its own)."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)

    def __exit__(self, kind, value, tb):
        try:
            if kind is None:
                self.db.commit()
            else:
                self.db.rollback()
        finally:
            self.db.set_autocommit(True)


def test_threads_and_processes_all_write_nothing_lost(tmp_path):
    path = tmp_path / "turns.sqlite3"
    make_table(path)
    script = (
        "import sys, django; sys.path.insert(0, sys.argv[2]); django.setup(); "
        "from pathlib import Path; from tests.db.test_sqlite_turns import write_rows; "
        "write_rows(Path(sys.argv[1]), 150, int(sys.argv[3]))"
    )
    root = Path(__file__).resolve().parents[2]
    others = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); " + script,
                str(path),
                str(root),
                str(start),
            ],
            cwd=root,
        )
        for start in (10_000, 20_000)
    ]
    threads = [
        threading.Thread(target=write_rows, args=(path, 150, start)) for start in (0, 1_000, 2_000)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [other.wait(timeout=120) for other in others] == [0, 0]
    db = wrapper(path)
    with db.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COUNT(DISTINCT n) FROM t")
        assert cursor.fetchone() == (750, 750)
    db.close()


def test_a_rolled_back_or_closed_transaction_ends_its_turn(tmp_path):
    path = tmp_path / "turns.sqlite3"
    make_table(path)
    first = wrapper(path, timeout=1)
    with pytest.raises(RuntimeError), _atomic(first):
        raise RuntimeError("the write failed")
    second = wrapper(path, timeout=1)
    # would time out if the failed one still held its turn
    with _atomic(second), second.cursor() as cursor:
        cursor.execute("INSERT INTO t (n) VALUES (1)")
    first.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    first.close()  # a connection dropped mid-transaction (a worker stopped) gives its turn back
    with _atomic(second), second.cursor() as cursor:
        cursor.execute("INSERT INTO t (n) VALUES (2)")
    second.close()


def test_a_writer_that_never_gets_a_turn_fails_like_sqlite(tmp_path):
    path = tmp_path / "turns.sqlite3"
    make_table(path)
    holder = wrapper(path)
    holder.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    waiting = {}

    def wait_for_turn():
        db = wrapper(path, timeout=0.3)
        try:
            with _atomic(db):
                pass
        except OperationalError as exc:
            waiting["error"] = str(exc)
        finally:
            db.close()

    thread = threading.Thread(target=wait_for_turn)
    thread.start()
    thread.join(timeout=10)
    holder.rollback()
    holder.set_autocommit(True)
    holder.close()
    assert "database is locked (no turn to write" in waiting["error"]  # ours, not the poll


def test_the_default_connection_uses_the_turns():
    assert isinstance(connections["default"], DatabaseWrapper)
