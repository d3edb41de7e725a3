"""Fixtures for the plan pages.

Each request of ``signed_in`` clients runs in its own application context, as in production:
otherwise ``g`` (which caches the signed-in user) would carry over from one client to another
inside a test, and two editors could not be told apart.
"""

from __future__ import annotations

import pytest

from app.auth.models import Organization, Role, User
from app.plans.models import Plan
from tests.factories import create_org, create_plan, create_user


@pytest.fixture
def org() -> Organization:
    return create_org()


@pytest.fixture
def editor(org: Organization) -> User:
    return create_user(org=org, role=Role.EDITOR, name="Erin Editor")


@pytest.fixture
def plan(org: Organization, editor: User) -> Plan:
    return create_plan(org=org, owner=editor)
