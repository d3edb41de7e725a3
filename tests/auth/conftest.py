"""Fixtures and helpers for the sign-in, session and user-management tests."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.auth.models import Organization, Role, User
from tests.conftest import new_client as isolated_client
from tests.factories import create_org, create_user


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return isolated_client(app)


@pytest.fixture
def new_client(app: Flask) -> Callable[[], FlaskClient]:
    """Another browser."""
    return lambda: isolated_client(app)


@pytest.fixture
def org() -> Organization:
    return create_org()


@pytest.fixture
def admin(org: Organization) -> User:
    return create_user(org=org, role=Role.ADMIN)


@pytest.fixture
def editor(org: Organization) -> User:
    return create_user(org=org, role=Role.EDITOR)


@pytest.fixture
def viewer(org: Organization) -> User:
    return create_user(org=org, role=Role.VIEWER)


def cookie_name(app: Flask) -> str:
    return str(app.config["SESSION_COOKIE_NAME"])


def session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie(cookie_name(client.application))
    return cookie.value if cookie else None


def client_with_cookie(app: Flask, value: str) -> FlaskClient:
    """A fresh browser that replays a copied session cookie."""
    other = isolated_client(app)
    other.set_cookie(cookie_name(app), value)
    return other


def redirect_path(response: TestResponse) -> str:
    assert response.status_code in (302, 303), f"expected a redirect, got {response.status_code}"
    return urlsplit(response.headers["Location"]).path


def is_signed_in(client: FlaskClient) -> bool:
    """What the user sees: the plans page (200) or a bounce to the sign-in page."""
    response = client.get("/plans")
    if response.status_code == 200:
        return True
    assert redirect_path(response) == "/login", f"unexpected answer {response.status_code} for /plans"
    return False


def hidden_field(page: str, name: str) -> str:
    """The value a browser would post back for a hidden input on the page."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert tag, f"no {name!r} field on the page"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def text_of(response: TestResponse) -> str:
    """The page's visible text with tags removed and whitespace collapsed (entities decoded)."""
    without_tags = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(without_tags).split())
