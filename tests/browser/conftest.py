"""Browser fixtures: the app served from a thread on 127.0.0.1 with its own migrated, seeded
SQLite file (one per test module), and a Playwright page in Debian's Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.demo.seed import DEMO_USERS, load_demo
from app.extensions import db
from tests.conftest import make_config

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# The marks of every browser test module: ``pytestmark = BROWSER_TEST``.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed: apt-get install chromium"),
]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The served app, for setting the scene through services (in ``with live_app.app_context():``)."""
    folder = tmp_path_factory.mktemp("browser")
    # Static files cached for an hour: pages then load without ten revalidation requests each.
    app = create_app(
        make_config(
            f"sqlite:///{folder / 'browser.db'}",
            WTF_CSRF_ENABLED=True,
            EXPORT_DIR=str(folder / "exports"),
            SEND_FILE_MAX_AGE_DEFAULT=3600,
        )
    )
    with app.app_context():
        upgrade()
        load_demo(app.config["PLAN_TEMPLATE_DIR"])
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(live_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(live_server: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.problems = problems  # type: ignore[attr-defined]
        yield page
        context.close()
        browser.close()


def sign_in(page, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Through the sign-in form, as a person would; back on the plans page."""
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/plans")


@pytest.fixture
def editor_page(page):  # type: ignore[no-untyped-def]
    """``page``, signed in as the demo data's first editor."""
    editor = next(u for u in DEMO_USERS if u.role == "editor")
    sign_in(page, editor.email, editor.password)
    return page
