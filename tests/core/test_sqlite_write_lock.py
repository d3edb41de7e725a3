"""On SQLite only requests that write take the write lock: while another worker holds it (a long import), pages
still read. Before, every request began with BEGIN IMMEDIATE, so a page waited for the writer and, after the busy
timeout, failed with "database is locked".
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade

from app import create_app
from app.auth.models import Role
from app.extensions import db
from tests.conftest import make_config, new_client
from tests.factories import create_org, create_plan, create_user, login


@pytest.fixture
def real_sessions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    session = db._make_scoped_session({})
    monkeypatch.setattr(db, "session", session)
    try:
        yield
    finally:
        session.remove()


def test_a_long_write_does_not_block_a_page_that_reads(tmp_path: Path, real_sessions: None) -> None:
    path = tmp_path / "planwright.db"
    app = create_app(make_config(f"sqlite:///{path}", EXPORT_DIR=str(tmp_path), SQLITE_BUSY_TIMEOUT_MS=300))
    with app.app_context():
        upgrade()
        org = create_org(name="Office of the State CIO")
        editor = create_user(org=org, role=Role.EDITOR)
        plan_id, email = create_plan(org=org, owner=editor, title="Digital State 2030").id, editor.email
    browser = new_client(app)
    assert login(browser, email).status_code == 302

    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:  # another worker, in the middle of a long import
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE plan SET title = 'Not yet committed' WHERE id = ?", (plan_id,))
        holding.set()
        release.wait(30)
        writer.execute("COMMIT")
        writer.close()

    thread = threading.Thread(target=long_write)
    thread.start()
    try:
        assert holding.wait(10)
        page = browser.get(f"/plans/{plan_id}")
        assert page.status_code == 200, page.status_code
        text = page.get_data(as_text=True)
        assert "Digital State 2030" in text and "Not yet committed" not in text  # the last committed state
        assert browser.get("/plans").status_code == 200
    finally:
        release.set()
        thread.join(30)
        with app.app_context():
            db.engine.dispose()
