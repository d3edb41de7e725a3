from __future__ import annotations

import pytest

from tests.publication.world import PublishedWorld, build_published_world


@pytest.fixture
def world() -> PublishedWorld:
    return build_published_world()
