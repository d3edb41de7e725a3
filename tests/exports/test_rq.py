"""The RQ path: with REDIS_URL set, an export is queued in Redis and `flask exports worker` renders it."""

from __future__ import annotations

import os

import pytest

from app.auth.models import Role
from app.exports import services
from app.exports.pdf.jobs import run_rq_worker
from app.extensions import db
from tests.factories import create_org, create_plan, create_user

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL.startswith("redis://127.0.0.1"), reason="REDIS_URL (on 127.0.0.1) is not set")
def test_an_rq_worker_renders_the_queued_export(app) -> None:  # type: ignore[no-untyped-def]
    org = create_org()
    plan = create_plan(org=org, owner=create_user(org=org, role=Role.EDITOR), title="Queued through Redis")
    app.config.update(EXPORT_SYNC=False, REDIS_URL=REDIS_URL)
    try:
        with app.test_request_context("/"):
            requested = services.request_plan_pdf(plan, user=None)
            db.session.commit()
            services.dispatch(requested)
            export = requested.export
            services.refresh(export)
            assert export.status == "queued"  # nothing renders until a worker runs
            run_rq_worker(REDIS_URL, burst=True)
            services.refresh(export)
    finally:
        app.config.update(EXPORT_SYNC=True, REDIS_URL="")
    assert export.status == "ready", export.error
    assert services.file_path(export) is not None and export.pages
