"""Migrations (SECURITY.md R37): every revision goes up, down and up again, and the schema they build
is exactly the models' schema (``flask db check`` is clean)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text

from app import create_app
from app.extensions import db
from tests.conftest import make_config

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture
def db_session() -> None:
    """These tests build their own databases: do not start (or reset) the shared test database."""


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'migrations.db'}"


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """A throwaway database on the test server, so the shared test database is never touched."""
    if not POSTGRES_URL.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL is not a PostgreSQL URL")
    name = f"planwright_migtest_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def migration_app(request, tmp_path) -> Iterator[Flask]:
    url = request.getfixturevalue(f"{request.param}_url")
    fresh = create_app(make_config(url, EXPORT_DIR=str(tmp_path)))
    with fresh.app_context():
        yield fresh
        db.engine.dispose()


def revisions_oldest_first(app: Flask) -> list[str]:
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def schema_differences(app: Flask) -> list:
    """What autogenerate would put in a new migration, with the options ``flask db`` uses."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=dict(app.extensions["migrate"].configure_args))
        return compare_metadata(context, db.metadata)


def user_tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_each_revision_upgrades_downgrades_and_upgrades_again(migration_app):
    revisions = revisions_oldest_first(migration_app)
    assert revisions, "no migrations found"
    for revision in revisions:
        upgrade(revision=revision)
        downgrade(revision="-1")
        upgrade(revision=revision)
    downgrade(revision="base")
    assert user_tables() == set()
    upgrade()
    assert user_tables() == {t.name for t in db.metadata.sorted_tables}


def test_migrated_schema_equals_the_models(migration_app):
    upgrade()
    assert migration_app.extensions["migrate"].configure_args.get("compare_type") is True
    assert schema_differences(migration_app) == []
    result = migration_app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_downgrade_to_base_removes_the_audit_triggers(migration_app):
    upgrade()
    assert append_only_triggers() != set()
    downgrade(revision="base")
    assert append_only_triggers() == set()


def append_only_triggers() -> set[str]:
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            query = (
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal UNION SELECT proname FROM pg_proc "
                "WHERE proname = 'audit_event_append_only'"
            )
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        return set(connection.scalars(text(query)))
