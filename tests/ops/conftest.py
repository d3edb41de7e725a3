"""Fixtures for the operations tests: databases of their own and apps migrated onto them (gunicorn instances and
free loopback ports come from bench/load.py).

Most tests here need a database other than the suite's rolled-back one (a backup restored into an empty
database, gunicorn processes that must see committed rows), so ``real_sessions`` gives ``db.session`` back
its production behaviour for the duration of a test: each app context uses its own app's engine and commits
for real.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from tests.conftest import make_config, reset_postgres_schema

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture
def real_sessions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    session = db._make_scoped_session({})
    monkeypatch.setattr(db, "session", session)
    try:
        yield
    finally:
        session.remove()


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _recreate(name: str, *, drop_only: bool = False) -> None:
    assert re.fullmatch(r"[a-z0-9_]+", name), name
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if not drop_only:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


@pytest.fixture
def scratch_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """``scratch_database(suffix) -> URL``: an empty database of the test's own.

    SQLite: a new file. PostgreSQL (TEST_DATABASE_URL set): a database named after the test database plus the
    suffix, created empty on the same server and dropped afterwards.
    """
    created: list[str] = []

    def make(suffix: str) -> str:
        if not PG_URL:
            return f"sqlite:///{tmp_path / f'{suffix}.db'}"
        name = f"{make_url(PG_URL).database}_{suffix}"
        _recreate(name)
        created.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    for name in created:
        _recreate(name, drop_only=True)


def recreate_empty(url: str) -> None:
    """Make the scratch database at ``url`` empty again (a new file, or DROP and CREATE on PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    _recreate(str(parsed.database))


def migrated_app(url: str, export_dir: Path, **overrides: object) -> Flask:
    """An app on ``url`` (needs ``real_sessions``), its schema built by the migrations."""
    from flask_migrate import upgrade

    app = create_app(make_config(url, EXPORT_DIR=str(export_dir), **overrides))
    if url.startswith("postgresql"):
        reset_postgres_schema(app)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
