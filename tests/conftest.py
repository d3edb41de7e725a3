"""Test fixtures.

The schema is built once per run by the Alembic migrations (not ``create_all``), on a
temporary SQLite file, or on PostgreSQL when ``TEST_DATABASE_URL`` is set. Every test runs
inside one outer transaction that is rolled back afterwards; the app's own commits become
savepoints (``join_transaction_mode="create_savepoint"``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.extensions import db
from config import TestingConfig

ROOT = Path(__file__).resolve().parent.parent


def make_config(database_url: str, **overrides: object) -> type[TestingConfig]:
    return type("RunConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})


def reset_postgres_schema(app: Flask) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production.

    Tests keep one app context pushed, and Flask reuses a pushed context for test requests, so
    ``g`` (where Flask-Login caches the signed-in user) would leak from one request, and one
    client, to the next.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


def new_client(app: Flask) -> FreshContextClient:
    """Another browser: its own cookies, each request in its own app context."""
    return FreshContextClient(app, app.response_class, use_cookies=True)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from flask_migrate import upgrade

    app = create_app(make_config(database_url, EXPORT_DIR=str(tmp_path_factory.mktemp("exports"))))
    app.test_client_class = FreshContextClient
    if database_url.startswith("postgresql"):
        reset_postgres_schema(app)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def db_session(request: pytest.FixtureRequest) -> Iterator[scoped_session | None]:
    """Bind every session of the test, including those of test-client requests, to one rolled-back transaction.

    Browser tests serve their own app and database from a thread, so they keep the real session.
    """
    if request.node.get_closest_marker("browser"):
        yield None
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=True),
            scopefunc=_app_ctx_id,
        )
        db.session = session  # type: ignore[assignment]
        try:
            yield session
        finally:
            session.remove()
            db.session = original
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def signed_in(app: Flask):  # type: ignore[no-untyped-def]
    """Sign a user in on a browser of their own: ``signed_in(user) -> client``."""
    from tests.factories import login

    def sign_in(user):  # type: ignore[no-untyped-def]
        client = new_client(app)
        assert login(client, user).status_code == 302, "sign-in failed"
        return client

    return sign_in


@pytest.fixture
def editor_client(signed_in, editor):  # type: ignore[no-untyped-def]
    """The ``editor`` fixture of the test's package, signed in."""
    return signed_in(editor)


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "page has no CSRF token field"
    return match.group(1) or match.group(2)
