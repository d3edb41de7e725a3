"""Engine settings: SQLite gets foreign keys, WAL, a busy timeout and real transactions.

SQLite is the embedded default (one machine, a few gunicorn workers). Two settings keep concurrent
workers from failing with "database is locked":

- WAL journal mode with ``synchronous=NORMAL``: readers never wait for the writer, and a commit needs
  no fsync of the main file (durable at the next checkpoint; a power cut may lose the last commits,
  never corrupt the file).
- ``busy_timeout`` (``SQLITE_BUSY_TIMEOUT_MS``): a writer waits for the lock instead of failing at once.

A busy timeout alone is not enough. A transaction that started by reading and then writes cannot wait
for the write lock: if another worker committed since its first read, SQLite answers "database is
locked" at once (its snapshot is stale). So a transaction begun while serving a request that may write
(POST, PUT, PATCH, DELETE) takes the write lock up front (``BEGIN IMMEDIATE``), where waiting is allowed.
Those requests write one at a time across workers, which is the embedded default's limit: PostgreSQL is
the production database.

GET and HEAD requests read: they begin a deferred transaction (``BEGIN``), which in WAL mode reads its
snapshot without waiting for anyone, so a long write (a large StratML import) never holds up the pages
other people are reading. The few writes a read may make (a session's last-seen time, an export record)
still work; only if another worker committed between that read's first statement and its write does SQLite
refuse it, and the request answers 503 with Retry-After (app.core.errors) instead of waiting. Commands and
tests outside a request keep ``BEGIN``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

DEFAULT_BUSY_TIMEOUT_MS = 5000
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # deferred transactions: they never take the write lock


def is_file_database(engine: Engine) -> bool:
    """A SQLite database in a file (not ``:memory:``), where WAL and locking apply."""
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


def _busy_timeout_ms() -> int:
    if has_app_context():
        return int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", DEFAULT_BUSY_TIMEOUT_MS))
    return DEFAULT_BUSY_TIMEOUT_MS


def configure_engine_events(engine: Engine, *, busy_timeout_ms: int | None = None) -> None:
    if engine.dialect.name != "sqlite":
        return
    timeout = int(busy_timeout_ms if busy_timeout_ms is not None else _busy_timeout_ms())
    on_file = is_file_database(engine)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide where transactions begin (needed for SAVEPOINT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout}")
        if on_file:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = on_file and has_request_context() and request.method not in READING_METHODS
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
