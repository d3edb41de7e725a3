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
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.auth.models import Organization, Role, User
from app.extensions import db
from config import TestingConfig
from tests.factories import PASSWORD, create_org, create_user, login

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

    def sign_in(user):  # type: ignore[no-untyped-def]
        client = new_client(app)
        assert login(client, user).status_code == 302, "sign-in failed"
        return client

    return sign_in


@pytest.fixture
def editor_client(signed_in, editor):  # type: ignore[no-untyped-def]
    """The ``editor`` fixture (the package's own where it has one), signed in."""
    return signed_in(editor)


OFFICE = "Office of the State CIO"
PEOPLE = {Role.ADMIN: "Ada Admin", Role.EDITOR: "Erin Editor", Role.REVIEWER: "Rae Reviewer", Role.VIEWER: "Vic Viewer"}


@pytest.fixture
def org() -> Organization:
    """The office most tests work in. A package's conftest overrides it when its tests need another office;
    the people below then belong to that one."""
    return create_org(name=OFFICE)


def person_fixture(role: Role) -> Any:
    """The fixture named after ``role`` (``editor``, ``viewer``...): the ``org``'s user with that role, named as
    in ``PEOPLE`` so that pages can be checked for the name."""

    @pytest.fixture(name=role.value)
    def person(org: Organization) -> User:
        return create_user(org=org, role=role, name=PEOPLE[role])

    return person


admin = person_fixture(Role.ADMIN)
editor = person_fixture(Role.EDITOR)
reviewer = person_fixture(Role.REVIEWER)
viewer = person_fixture(Role.VIEWER)


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "page has no CSRF token field"
    return match.group(1) or match.group(2)


def csrf_app_fixture() -> Any:
    """``app = csrf_app_fixture()`` in a module marked ``csrf``: the module's tests get another app on the
    session app's migrated database, with CSRF protection on as in production."""

    @pytest.fixture(scope="module", name="app")
    def csrf_app(app: Flask, database_url: str) -> Iterator[Flask]:
        protected = create_app(make_config(database_url, WTF_CSRF_ENABLED=True, EXPORT_DIR=app.config["EXPORT_DIR"]))
        protected.test_client_class = FreshContextClient
        yield protected
        with protected.app_context():
            db.engine.dispose()

    return csrf_app


def signed_in_with_form_token(app: Flask, user: User) -> FlaskClient:
    """A browser of its own that signed ``user`` in through the login form, CSRF token included."""
    client = new_client(app)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, "sign-in failed"
    return client
