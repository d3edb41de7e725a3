from __future__ import annotations

import pytest

from app.auth.models import Role
from tests.factories import create_org, create_plan, create_user


@pytest.fixture
def org():
    return create_org(name="Office of the CIO")


@pytest.fixture
def editor(org):
    return create_user(org=org, role=Role.EDITOR, name="Edith Editor")


@pytest.fixture
def viewer(org):
    return create_user(org=org, role=Role.VIEWER, name="Vic Viewer")


@pytest.fixture
def plan(org, editor):
    return create_plan(org=org, owner=editor)
