"""Two requests for the same plan PDF at the same moment on PostgreSQL start one render, not two: the second
waits for the first's commit and reuses its export (the embedded SQLite default gets the same from its
write lock, see tests/exports/test_concurrency.py). Before the fix, each request found no export yet (the
other's was not committed) and queued its own render of the same PDF.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.auth.models import Role
from app.exports import services
from app.exports.models import Export
from app.extensions import db
from app.plans.models import Plan
from tests.factories import create_org, create_plan, create_user
from tests.ops.conftest import PG_URL, dispose, migrated_app

pytestmark = pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL (PostgreSQL)")


def test_a_second_request_waits_for_the_first_and_reuses_its_export(tmp_path: Path, real_sessions, scratch_database):  # type: ignore[no-untyped-def]
    app = migrated_app(scratch_database("export_race"), tmp_path / "exports")
    with app.app_context():
        org = create_org(name="Office of the State CIO")
        plan_id = create_plan(org=org, owner=create_user(org=org, role=Role.EDITOR), title="Digital State").id
        db.session.commit()
    first_flushed, outcome, errors = threading.Event(), {}, []

    def ask(name: str) -> None:
        with app.app_context():
            try:
                if name == "second":
                    first_flushed.wait(10)
                requested = services.request_plan_pdf(db.session.get(Plan, plan_id), user=None)
                outcome[name] = (requested.export.id, requested.reused)
                if name == "first":
                    first_flushed.set()
                    threading.Event().wait(0.5)  # hold the transaction open while the second one asks
                db.session.commit()
            except Exception as exc:  # the assertion below reports it
                errors.append(repr(exc))
                first_flushed.set()
                db.session.rollback()

    threads = [threading.Thread(target=ask, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == []
        assert outcome["first"][1] is False and outcome["second"] == (outcome["first"][0], True), outcome
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count()).select_from(Export)) == 1
    finally:
        dispose(app)
