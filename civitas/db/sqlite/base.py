"""Django's SQLite backend, with write transactions taking turns instead of polling.

SQLite lets one writer at a time hold the database. A second writer's ``BEGIN IMMEDIATE`` fails
with "busy", and SQLite's busy handler retries after sleeping 1, 2, 5, 10 … then 50 and 100 ms.
Under a burst of submissions the waiting writers spend most of their time asleep while the lock
is free, so throughput drops and the slowest requests wait hundreds of milliseconds.

Here a writer first takes a lock of our own, then begins: within a process a ``threading.Lock``
(threads wake in turn the moment it is released), across processes an exclusive ``flock`` on a
file beside the database (polled every fraction of a millisecond while another process holds it).
The transaction that holds both begins at once, and both are released as it commits or rolls
back, or when the connection closes. A writer that cannot get its turn within the connection's
timeout fails as SQLite would, with "database is locked". Reads never take the lock (WAL mode).
Writes outside a transaction (autocommit) keep SQLite's own busy handler.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()
_POLL_SECONDS = (0.0002, 0.0005, 0.001, 0.002)  # between tries while another process writes


def _thread_lock(path: str) -> threading.Lock:
    with _THREAD_LOCKS_GUARD:
        return _THREAD_LOCKS.setdefault(path, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._turn_file: int | None = None
        self._has_turn = False

    # --- the turn ---------------------------------------------------------------------------------
    def _turn_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None  # one connection's own database: nobody to take turns with
        return f"{name}-writers.lock"

    def _take_turn(self) -> None:
        path = self._turn_path()
        if path is None:
            return
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        in_process = _thread_lock(path)
        if not in_process.acquire(timeout=timeout):
            raise OperationalError("database is locked (no turn to write within the timeout)")
        try:
            if self._turn_file is None:
                self._turn_file = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            attempt = 0
            while True:
                try:
                    fcntl.flock(self._turn_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OperationalError(
                            "database is locked (another process kept writing past the timeout)"
                        ) from None
                    time.sleep(_POLL_SECONDS[min(attempt, len(_POLL_SECONDS) - 1)])
                    attempt += 1
        except BaseException:
            in_process.release()
            raise
        self._has_turn = True

    def _end_turn(self) -> None:
        if not self._has_turn:
            return
        self._has_turn = False
        try:
            fcntl.flock(self._turn_file, fcntl.LOCK_UN)
        finally:
            _thread_lock(self._turn_path()).release()

    # --- where Django begins and ends transactions ------------------------------------------------
    def _start_transaction_under_autocommit(self):
        self._take_turn()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._end_turn()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_turn()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._end_turn()
            if self._turn_file is not None:
                os.close(self._turn_file)
                self._turn_file = None
