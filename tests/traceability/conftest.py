"""Fixtures for the traceability tests: an office with an editor and a draft plan (FY2027–FY2030).

``signed_in`` and ``editor_client`` come from the root conftest.
"""

from __future__ import annotations

import pytest

from app.auth.models import Organization, Role, User
from app.plans.models import Plan
from tests.factories import create_org, create_plan, create_user


@pytest.fixture
def org() -> Organization:
    return create_org(name="State Office of the CIO")


@pytest.fixture
def editor(org: Organization) -> User:
    return create_user(org=org, role=Role.EDITOR, name="Erin Editor")


@pytest.fixture
def plan(org: Organization, editor: User) -> Plan:
    return create_plan(org=org, owner=editor)
