"""Fixtures for the plan pages.

Each request of ``signed_in`` clients runs in its own application context, as in production:
otherwise ``g`` (which caches the signed-in user) would carry over from one client to another
inside a test, and two editors could not be told apart.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.auth.models import Organization, Role, User
from app.plans.models import Plan
from tests.conftest import FreshContextClient
from tests.factories import create_org, create_plan, create_user, login


@pytest.fixture
def org() -> Organization:
    return create_org()


@pytest.fixture
def editor(org: Organization) -> User:
    return create_user(org=org, role=Role.EDITOR, name="Erin Editor")


@pytest.fixture
def plan(org: Organization, editor: User) -> Plan:
    return create_plan(org=org, owner=editor)


@pytest.fixture
def signed_in(app: Flask) -> Callable[[User], FlaskClient]:
    def sign_in(user: User) -> FlaskClient:
        client = FreshContextClient(app, app.response_class, use_cookies=True)
        response = login(client, user)
        assert response.status_code == 302, "sign-in failed"
        return client

    return sign_in


@pytest.fixture
def editor_client(signed_in: Callable[[User], FlaskClient], editor: User) -> FlaskClient:
    return signed_in(editor)
