"""Fixtures for the spreadsheet tests: an office and its editor (``signed_in`` and ``editor_client`` come from
the root conftest)."""

from __future__ import annotations

import pytest

from app.auth.models import Organization, Role, User
from tests.factories import create_org, create_user


@pytest.fixture
def org() -> Organization:
    return create_org(slug="state-ocio", name="Office of the State CIO")


@pytest.fixture
def editor(org: Organization) -> User:
    return create_user(org=org, role=Role.EDITOR, name="Erin Editor")
