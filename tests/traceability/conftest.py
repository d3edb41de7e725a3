"""Fixtures for the traceability tests: an office with an editor and a draft plan (FY2027–FY2030)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.auth.models import Organization, Role, User
from app.plans.models import Plan
from tests.conftest import new_client
from tests.factories import create_org, create_plan, create_user, login


@pytest.fixture
def org() -> Organization:
    return create_org(name="State Office of the CIO")


@pytest.fixture
def editor(org: Organization) -> User:
    return create_user(org=org, role=Role.EDITOR, name="Erin Editor")


@pytest.fixture
def plan(org: Organization, editor: User) -> Plan:
    return create_plan(org=org, owner=editor)


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
