"""Fixtures for governance tests: an office with an editor, a chair, a secretary and members.

``org`` (the Office of the State CIO) and ``editor`` come from the root conftest.
"""

from __future__ import annotations

import pytest

from app.auth.models import Organization, Role, User
from app.governance.models import Board
from app.portfolio.models import Initiative
from tests.factories import create_user
from tests.governance.factories import create_board
from tests.portfolio.factories import create_initiative


@pytest.fixture
def chair(org: Organization) -> User:
    return create_user(org=org, role=Role.REVIEWER, name="Charlie Chair")


@pytest.fixture
def secretary(org: Organization) -> User:
    return create_user(org=org, role=Role.REVIEWER, name="Sam Secretary")


@pytest.fixture
def members(org: Organization) -> list[User]:
    return [create_user(org=org, role=Role.REVIEWER, name=f"Member {n}") for n in (1, 2, 3)]


@pytest.fixture
def board(org: Organization, chair: User, secretary: User, members: list[User]) -> Board:
    return create_board(
        org=org,
        name="IT Governance Board",
        members=[(chair, "chair"), (secretary, "secretary"), *((m, "member") for m in members)],
    )


@pytest.fixture
def initiative(org: Organization, editor: User) -> Initiative:
    return create_initiative(org=org, user=editor, code="INI-0001", title="Online permits")
