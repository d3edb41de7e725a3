"""A database that goes away while people work: the answer is a 503 page that needs no database, with
Retry-After, the request id and the text the user had just typed, never the server's bare "Internal Server Error".

The outage is real. On PostgreSQL the test starts a server of its own (initdb into a temporary folder, on a free
loopback port) and stops it mid-session; the shared server on 5432 is never touched. On SQLite the database file's
folder is moved away, so the file can no longer be opened. The app runs with PROPAGATE_EXCEPTIONS off, as under
gunicorn, so an error escaping the error handlers shows as the bare 500 it would be in production; the PostgreSQL
case also runs the real gunicorn.
"""

from __future__ import annotations

import glob
import http.cookiejar
import os
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.api.tokens import issue_token
from app.auth.models import Role
from app.core.db import utcnow
from app.extensions import db
from bench.load import free_port, gunicorn, server_env
from tests.conftest import make_config, new_client
from tests.factories import PASSWORD, create_org, create_plan, create_user, login

TYPED = "Our cloud-first policy <b>moves</b> 40 services & keeps “records” safe.\nSecond paragraph."
REQUEST_ID = "outage-test-request-0001"
CSRF_VALUE = "csrf-value-that-must-never-be-echoed"
PG_CTL = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))


@dataclass
class Outage:
    url: str
    cut: Callable[[], None]


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres account then."""
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start a PostgreSQL of our own")
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def own_postgres() -> Iterator[Outage]:
    """A PostgreSQL server of the test's own on a free loopback port; ``cut`` stops it at once."""
    if not PG_CTL:
        pytest.skip("PostgreSQL server binaries (pg_ctl, initdb) are not installed")
    bin_dir = Path(PG_CTL[-1]).parent
    data = Path(tempfile.mkdtemp(prefix="planwright-outage-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    port = free_port()
    subprocess.run(
        _as_server_user([str(bin_dir / "initdb"), "-D", str(data / "pg"), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data / "pg"), "-l", str(data / "server.log")]
    subprocess.run(_as_server_user([*pg_ctl, "-o", options, "-w", "start"]), check=True, capture_output=True)

    def stop() -> None:
        subprocess.run(_as_server_user([*pg_ctl, "-m", "immediate", "-w", "stop"]), check=False, capture_output=True)

    try:
        yield Outage(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop)
    finally:
        stop()
        shutil.rmtree(data, ignore_errors=True)


@contextmanager
def sqlite_file(tmp_path: Path) -> Iterator[Outage]:
    """A SQLite database whose folder is moved away by ``cut``: the file cannot be opened any more."""
    folder = tmp_path / "data"
    folder.mkdir()
    yield Outage(f"sqlite:///{folder / 'planwright.db'}", lambda: folder.rename(tmp_path / "gone"))


@pytest.fixture
def real_sessions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app's own sessions, committing for real, instead of the suite's rolled-back one."""
    session = db._make_scoped_session({})
    monkeypatch.setattr(db, "session", session)
    try:
        yield
    finally:
        session.remove()


def _app_on(url: str, tmp_path: Path) -> Flask:
    from flask_migrate import upgrade

    app = create_app(make_config(url, EXPORT_DIR=str(tmp_path / "exports"), PROPAGATE_EXCEPTIONS=False))
    with app.app_context():
        upgrade()
    return app


def _world(app: Flask) -> tuple[str, int, int, int, str]:
    """An editor with a plan; returns the editor's e-mail, the plan, a section, its version and an API token."""
    with app.app_context():
        org = create_org(name="Office of the State CIO")
        editor = create_user(org=org, role=Role.EDITOR, name="Erin Editor")
        plan = create_plan(org=org, owner=editor)
        section = plan.sections[0]
        _, token = issue_token(
            user=editor, organization=org, name="Dashboard", scope="read", expires_at=utcnow() + timedelta(days=5)
        )
        db.session.commit()
        return editor.email, plan.id, section.id, section.version, token


def _assert_text_given_back(status: int, headers: dict[str, str], page: str) -> None:
    assert status == 503, page[:500]
    assert int(headers["Retry-After"]) > 0
    assert "Internal Server Error" not in page and "cannot reach its database" in page
    assert REQUEST_ID in page  # the reference to give an administrator
    # Every typed line is back, escaped (the tags are shown as text, not markup), in a form that can be resent.
    assert "Our cloud-first policy &lt;b&gt;moves&lt;/b&gt; 40 services &amp; keeps “records” safe." in page
    assert "Second paragraph." in page and "<b>moves" not in page
    assert re.search(r'<textarea[^>]*name="body"', page)
    assert CSRF_VALUE not in page and PASSWORD not in page


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_section_saved_while_the_database_is_down_gets_a_503_with_the_text(
    backend: str, tmp_path: Path, real_sessions: None
) -> None:
    with own_postgres() if backend == "postgresql" else sqlite_file(tmp_path) as outage:
        app = _app_on(outage.url, tmp_path)
        email, plan_id, section_id, version, token = _world(app)
        browser = new_client(app)
        assert login(browser, email).status_code == 302
        edit = f"/plans/{plan_id}/sections/{section_id}/edit"
        assert browser.get(edit).status_code == 200

        outage.cut()
        with app.app_context():
            db.engine.dispose()  # pooled connections would otherwise still reach a moved SQLite file
        response = browser.post(
            edit,
            data={"title": "Vision", "body": TYPED, "version": str(version), "ready": "y", "csrf_token": CSRF_VALUE},
            headers={"X-Request-ID": REQUEST_ID},
        )
        _assert_text_given_back(response.status_code, dict(response.headers), response.get_data(as_text=True))
        assert response.headers["X-Request-ID"] == REQUEST_ID

        # A page read (the signed-in user cannot be loaded): the same page, without a form.
        page = browser.get(f"/plans/{plan_id}")
        assert page.status_code == 503 and "Retry-After" in page.headers
        assert "cannot reach its database" in page.get_data(as_text=True)

        # The JSON API: a problem document, 503, Retry-After.
        api = app.test_client().get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 503 and api.mimetype == "application/problem+json"
        assert int(api.headers["Retry-After"]) > 0 and api.get_json()["status"] == 503
        with app.app_context():
            db.engine.dispose()


def test_under_gunicorn_a_database_outage_never_gives_the_bare_500(tmp_path: Path, real_sessions: None) -> None:
    with own_postgres() as outage:
        app = _app_on(outage.url, tmp_path)
        email, plan_id, section_id, version, _ = _world(app)
        with app.app_context():
            db.engine.dispose()
        env = server_env(outage.url, tmp_path / "exports")
        env["REDIS_URL"] = ""
        with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as base:
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            sign_in = opener.open(f"{base}/login", timeout=10).read().decode()
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', sign_in)
            assert token, "no CSRF token on the sign-in page"
            form = {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
            opener.open(f"{base}/login", urllib.parse.urlencode(form).encode(), timeout=10).read()

            outage.cut()
            edit = f"{base}/plans/{plan_id}/sections/{section_id}/edit"
            statuses = []
            for _ in range(6):  # both workers, each with pooled connections to a server that is gone
                body = {"title": "Vision", "body": TYPED, "version": str(version), "csrf_token": CSRF_VALUE}
                request = urllib.request.Request(  # noqa: S310 - loopback only
                    edit, urllib.parse.urlencode(body).encode(), headers={"X-Request-ID": REQUEST_ID}
                )
                try:
                    opener.open(request, timeout=20)
                    statuses.append(200)
                except urllib.error.HTTPError as error:
                    statuses.append(error.code)
                    _assert_text_given_back(error.code, dict(error.headers), error.read().decode())
            assert statuses == [503] * 6, statuses


def test_an_unexpected_error_on_a_post_gives_the_typed_text_back(app: Flask, signed_in, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Not an outage: a bug. The site's own 500 page, still with the text (and never a secret)."""
    from app.plans import services

    org = create_org()
    editor = create_user(org=org, role=Role.EDITOR)
    plan = create_plan(org=org, owner=editor)
    section = plan.sections[0]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "save_section", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = signed_in(editor).post(
        f"/plans/{plan.id}/sections/{section.id}/edit",
        data={"title": "Vision", "body": TYPED, "version": str(section.version), "new_password": "hunter2-secret"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "Our cloud-first policy &lt;b&gt;moves&lt;/b&gt;" in page and "hunter2-secret" not in page
