"""Fixtures for the StratML tests: another office and its editor.

The office (``org``, the Office of the State CIO) and one user per role (``admin``, ``editor``, ``reviewer``,
``viewer``) come from the root conftest.
"""

from __future__ import annotations

import pytest

from app.auth.models import Organization, Role, User
from tests.factories import create_org, create_user


@pytest.fixture
def other_org() -> Organization:
    return create_org(name="County IT Department")


@pytest.fixture
def other_editor(other_org: Organization) -> User:
    return create_user(org=other_org, role=Role.EDITOR, name="Otto Other")
