"""Fixtures for the architecture tests: a state office with an agency family, editors and a catalogue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.architecture import similarity
from app.auth.models import Organization, Role, User
from app.portfolio.models import Initiative
from tests.factories import create_org, create_user
from tests.portfolio.factories import create_initiative


@pytest.fixture(autouse=True)
def fresh_similarity_cache() -> Iterator[None]:
    """Each test's database rolls back, so ids repeat: never reuse another test's index."""
    similarity.clear_cache()
    yield
    similarity.clear_cache()


@pytest.fixture
def org() -> Organization:
    return create_org(name="Office of the State CIO")


@pytest.fixture
def editor(org: Organization) -> User:
    return create_user(org=org, role=Role.EDITOR, name="Erin Editor")


@pytest.fixture
def viewer(org: Organization) -> User:
    return create_user(org=org, role=Role.VIEWER, name="Vic Viewer")


@pytest.fixture
def initiative(org: Organization, editor: User) -> Initiative:
    return create_initiative(
        org=org,
        user=editor,
        code="INI-0001",
        title="Business licensing portal",
        summary="One online portal for business licensing and permit renewals.",
    )
