"""Fixtures for the portfolio pages: an office, its editor and signed-in browsers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.auth.models import Organization, Role, User
from app.portfolio.models import Initiative
from tests.conftest import new_client
from tests.factories import create_org, create_user, login
from tests.portfolio.factories import create_initiative


@pytest.fixture
def org() -> Organization:
    return create_org(name="Office of the State CIO")


@pytest.fixture
def editor(org: Organization) -> User:
    return create_user(org=org, role=Role.EDITOR, name="Erin Editor")


@pytest.fixture
def initiative(org: Organization, editor: User) -> Initiative:
    return create_initiative(org=org, user=editor, code="INI-0001", title="Online permits")


@pytest.fixture
def signed_in(app: Flask) -> Callable[[User], FlaskClient]:
    def sign_in(user: User) -> FlaskClient:
        client = new_client(app)
        assert login(client, user).status_code == 302, "sign-in failed"
        return client

    return sign_in


@pytest.fixture
def editor_client(signed_in: Callable[[User], FlaskClient], editor: User) -> FlaskClient:
    return signed_in(editor)
