"""The embedded default: SQLite in WAL mode with a busy timeout, and writers in several processes that wait
for one another instead of failing with "database is locked"."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from app.core.database import configure_engine_events

WRITES_PER_PROCESS = 40


def _engine(path: Path, timeout_ms: int = 5000):  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{path}")
    configure_engine_events(engine, busy_timeout_ms=timeout_ms)
    return engine


def test_a_file_database_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "wal.db", timeout_ms=1234)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 1234
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_the_busy_timeout_comes_from_the_configuration(app) -> None:  # type: ignore[no-untyped-def]
    from app.extensions import db

    assert app.config["SQLITE_BUSY_TIMEOUT_MS"] == 5000
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def _writer(path: str, name: str, start: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    """Read the highest number, then write the next one: the pattern that a stale snapshot breaks."""
    from flask import Flask

    engine = _engine(Path(path))
    web = Flask(name)
    start.wait(30)
    for _ in range(WRITES_PER_PROCESS):
        with web.test_request_context("/", method="POST"), engine.connect() as connection, connection.begin():
            highest = connection.execute(text("SELECT coalesce(max(n), 0) FROM counter")).scalar()
            time.sleep(0.002)  # the rest of a request's work between its first read and its write
            connection.execute(text("INSERT INTO counter (n, writer) VALUES (:n, :w)"), {"n": highest + 1, "w": name})
    engine.dispose()


def test_two_processes_writing_at_once_never_see_database_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    engine = _engine(path)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER PRIMARY KEY, writer TEXT NOT NULL)"))
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    processes = [context.Process(target=_writer, args=(str(path), f"w{i}", start)) for i in range(2)]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0, 0], "a writer failed (see its traceback above)"
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT n, writer FROM counter ORDER BY n")).all()
    engine.dispose()
    assert [n for n, _w in rows] == list(range(1, 2 * WRITES_PER_PROCESS + 1))  # no lost or duplicate number
    assert {w for _n, w in rows} == {"w0", "w1"}
