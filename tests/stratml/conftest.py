"""Fixtures for the StratML tests: an office with one user per role, and another office."""

from __future__ import annotations

import pytest

from app.auth.models import Organization, Role, User
from tests.factories import create_org, create_user


@pytest.fixture
def org() -> Organization:
    return create_org(name="Office of the State CIO")


@pytest.fixture
def editor(org: Organization) -> User:
    return create_user(org=org, role=Role.EDITOR, name="Erin Editor")


@pytest.fixture
def admin(org: Organization) -> User:
    return create_user(org=org, role=Role.ADMIN, name="Ada Admin")


@pytest.fixture
def viewer(org: Organization) -> User:
    return create_user(org=org, role=Role.VIEWER, name="Vic Viewer")


@pytest.fixture
def reviewer(org: Organization) -> User:
    return create_user(org=org, role=Role.REVIEWER, name="Rae Reviewer")


@pytest.fixture
def other_org() -> Organization:
    return create_org(name="County IT Department")


@pytest.fixture
def other_editor(other_org: Organization) -> User:
    return create_user(org=other_org, role=Role.EDITOR, name="Otto Other")
