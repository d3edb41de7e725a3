"""Fixtures for the portfolio pages: an office, its editor and signed-in browsers."""

from __future__ import annotations

import pytest

from app.auth.models import Organization, Role, User
from app.portfolio.models import Initiative
from tests.factories import create_org, create_user
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
