"""Renders that never report back: the export fails with a reason a person can act on, never stays 'rendering'."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.auth.models import Role
from app.core.db import utcnow
from app.exports import services
from app.exports.pdf import jobs
from app.extensions import db
from tests.factories import create_org, create_plan, create_user


@pytest.fixture
def queued(app, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A requested export whose render was never started (no dispatch), with job files of its own: export ids
    repeat between tests (each test's rows are rolled back)."""
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(tmp_path))
    org = create_org(name="Office of the State CIO")
    plan = create_plan(org=org, owner=create_user(org=org, role=Role.EDITOR), title="Digital State")
    with app.test_request_context("/"):
        requested = services.request_plan_pdf(plan, user=None)
    db.session.flush()
    return requested.export


def test_a_render_that_started_and_went_silent_fails_naming_the_limit_and_a_restart(app, queued) -> None:  # type: ignore[no-untyped-def]
    limit = app.config["EXPORT_TIMEOUT_SECONDS"]
    long_ago = utcnow() - timedelta(seconds=limit + services.GRACE_SECONDS + 5)
    (jobs.jobs_dir(app.config["EXPORT_DIR"]) / f"{queued.id}.started").write_text(long_ago.isoformat())
    assert services.refresh(queued)
    assert queued.status == "failed"
    assert f"longer than the limit of {limit} seconds" in queued.error
    assert "server restarted" in queued.error and "Request the PDF again" in queued.error


def test_a_recent_start_is_still_rendering(app, queued) -> None:  # type: ignore[no-untyped-def]
    (jobs.jobs_dir(app.config["EXPORT_DIR"]) / f"{queued.id}.started").write_text(utcnow().isoformat())
    services.refresh(queued)
    assert queued.status == "rendering" and not queued.error


def test_a_job_no_worker_picked_up_fails_asking_to_check_the_workers(app, queued) -> None:  # type: ignore[no-untyped-def]
    queued.created_at = utcnow() - timedelta(seconds=app.config["EXPORT_QUEUE_TIMEOUT_SECONDS"] + 5)
    assert services.refresh(queued)
    assert queued.status == "failed" and "No export worker picked this up in time" in queued.error
