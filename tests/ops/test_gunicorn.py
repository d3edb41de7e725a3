"""Growing past one machine: two gunicorn instances (two ports standing for two machines) on one database.

A sign-in on instance A works on instance B (sessions are server-side rows, the cookie is signed with the
shared SECRET_KEY), what A writes B reads, and 20 concurrent writers spread over both instances' workers get
no "database is locked" and no server error, on SQLite (the default run) and on PostgreSQL (TEST_DATABASE_URL).
"""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from app.auth.models import Role
from app.extensions import db
from app.plans.models import Plan
from bench.load import gunicorns, server_env
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, create_org, create_user
from tests.ops.conftest import dispose, migrated_app

SECRET = "ops-test-shared-secret-key-0123456789-abcdefghijkl"
START_SECONDS = 90  # importing the app takes a few seconds; far more on a loaded 2-core machine
WRITERS = 20


def _env(database_url: str, export_dir: Path, *, warm: str) -> dict[str, str]:
    """Both instances sign cookies with the same key, as machines behind one load balancer would."""
    shared = {"SECRET_KEY": SECRET, "LOG_FORMAT": "json", "PLANWRIGHT_WARM_SECONDS": warm}
    return {**server_env(database_url, export_dir), **shared}


def _new_plan(session: requests.Session, base: str, title: str) -> requests.Response:
    token = csrf_token_from(session.get(f"{base}/plans/new", timeout=30).text)
    form = {
        "csrf_token": token,
        "title": title,
        "template": "compact-five-section",
        "first_fiscal_year": "2027",
        "last_fiscal_year": "2030",
    }
    return session.post(f"{base}/plans/new", data=form, allow_redirects=False, timeout=60)


def test_two_instances_share_sessions_and_data(tmp_path: Path, real_sessions: None, scratch_database) -> None:  # type: ignore[no-untyped-def]
    url = scratch_database("web")
    exports = tmp_path / "exports"
    setup = migrated_app(url, exports)
    with setup.app_context():
        editor = create_user(org=create_org(), role=Role.EDITOR, email="editor@ops-web.example")
        editor_id = editor.id
    dispose(setup)

    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    instances = [(_env(url, exports, warm="5"), logs[0]), (_env(url, exports, warm="0"), logs[1])]
    with gunicorns(instances, ready_path="/readyz", start_seconds=START_SECONDS, stop_seconds=15) as (a, b):
        serving = time.monotonic()

        browser = requests.Session()
        token = csrf_token_from(browser.get(f"{a}/login", timeout=30).text)
        signed_in = browser.post(
            f"{a}/login",
            data={"csrf_token": token, "email": "editor@ops-web.example", "password": PASSWORD},
            allow_redirects=False,
            timeout=60,
        )
        assert signed_in.status_code == 302, signed_in.text[:500]

        created = _new_plan(browser, a, "Plan written on instance A")
        assert created.status_code == 302
        location = created.headers["Location"]
        assert re.search(r"/plans/\d+$", location)
        on_b = browser.get(f"{b}{location}" if location.startswith("/") else location.replace(a, b), timeout=30)
        assert on_b.status_code == 200
        assert "Plan written on instance A" in on_b.text

        def write(number: int) -> list[int]:
            session = requests.Session()
            session.cookies.update(browser.cookies)
            base = a if number % 2 else b
            return [_new_plan(session, base, f"Concurrent plan {number}-{i}").status_code for i in range(2)]

        with ThreadPoolExecutor(WRITERS) as pool:
            statuses = [s for batch in pool.map(write, range(WRITERS)) for s in batch]
        assert statuses == [302] * (2 * WRITERS)
        finished = time.monotonic()

    output = "\n".join(log.read_text(errors="replace") for log in logs)
    assert "database is locked" not in output
    requests_logged = [json.loads(line) for line in output.splitlines() if line.startswith('{"time"')]
    assert requests_logged and all(line["request_id"] for line in requests_logged)
    assert not [line for line in requests_logged if line.get("event") == "request" and line["status"] >= 500]
    assert "similar-work indexes built" in logs[0].read_text()
    with setup.app_context():
        titles = db.session.scalars(db.select(Plan.title).where(Plan.owner_id == editor_id)).all()
    dispose(setup)
    assert len([t for t in titles if t.startswith("Concurrent plan")]) == 2 * WRITERS
    assert finished - serving < 30, f"serving took {finished - serving:.1f} s"
