"""Shared benchmark helpers: build an app on a throwaway database, time pages, count statements."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from app import create_app
from app.extensions import db
from config import TestingConfig


@contextmanager
def bench_app(database_url: str) -> Iterator[Flask]:
    """A migrated app on ``database_url`` (PostgreSQL: the public schema is emptied first)."""
    from flask_migrate import upgrade

    config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, "LOG_REQUESTS": False})
    app = create_app(config)
    with app.app_context():
        if database_url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def sqlite_url(folder: str | Path, name: str) -> str:
    return f"sqlite:///{Path(folder) / name}"


def measure(app: Flask, client: FlaskClient, url: str, repeat: int) -> dict[str, Any]:
    """Request ``url`` ``repeat`` times; p50/p95 server time in ms and statements of one request."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    timings = []
    for i in range(repeat + 2):  # two warm-up requests
        if i == repeat + 1:
            event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        if i >= 2:
            timings.append(elapsed)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    event.remove(engine, "before_cursor_execute", count)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(0.95 * len(timings)) - 1)], 1),
        "statements": len(statements),
        "bytes": len(response.get_data()),
    }
