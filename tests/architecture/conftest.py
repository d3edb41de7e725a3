"""Fixtures for the architecture tests: a fresh similarity cache and an initiative to compare.

``org`` (the Office of the State CIO), ``editor`` and ``viewer`` come from the root conftest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.architecture import similarity
from app.auth.models import Organization, User
from app.portfolio.models import Initiative
from tests.portfolio.factories import create_initiative


@pytest.fixture(autouse=True)
def fresh_similarity_cache() -> Iterator[None]:
    """Each test's database rolls back, so ids repeat: never reuse another test's index."""
    similarity.clear_cache()
    yield
    similarity.clear_cache()


@pytest.fixture
def initiative(org: Organization, editor: User) -> Initiative:
    return create_initiative(
        org=org,
        user=editor,
        code="INI-0001",
        title="Business licensing portal",
        summary="One online portal for business licensing and permit renewals.",
    )
