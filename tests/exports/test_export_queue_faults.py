"""A PDF asked for while the export queue cannot take it: the export is recorded as failed at once, in the
transaction that made it (no "queued" export, no audit event claiming it was queued), the page says so, and
asking again makes a new export instead of reusing the dead one."""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from flask import Flask

from app.audit.models import AuditEvent
from app.exports.models import Export
from app.exports.pdf import jobs
from app.extensions import db
from bench.load import free_port
from tests.factories import create_plan


@pytest.fixture
def plan(org, editor, app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "EXPORT_SYNC", False)
    return create_plan(org=org, owner=editor, title="Digital State 2027")


@pytest.fixture
def redis_down(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """REDIS_URL points at a loopback port where nothing listens."""
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    jobs._redis_clients.clear()


@pytest.fixture
def pool_broken(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", "")

    def refuse(job: jobs.RenderJob, *, workers: int) -> None:
        raise BrokenProcessPool("the rendering processes could not start")

    monkeypatch.setattr(jobs, "submit_to_pool", refuse)


def _exports(plan) -> list[Export]:  # type: ignore[no-untyped-def]
    return list(db.session.scalars(db.select(Export).where(Export.plan_id == plan.id).order_by(Export.id)))


def _actions(export: Export) -> list[str]:
    return list(
        db.session.scalars(
            db.select(AuditEvent.action).where(AuditEvent.object_type == "export", AuditEvent.object_id == export.id)
        )
    )


@pytest.mark.parametrize("queue", ["redis_down", "pool_broken"])
def test_a_pdf_the_queue_cannot_take_fails_at_once_and_is_never_reused(
    request: pytest.FixtureRequest, queue: str, plan, editor_client
) -> None:  # type: ignore[no-untyped-def]
    request.getfixturevalue(queue)
    response = editor_client.post(f"/plans/{plan.id}/exports", data={"version": "draft"}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "could not be queued" in page and "Request it again" in page
    [export] = _exports(plan)
    assert export.status == "failed" and export.error == jobs.NOT_QUEUED and export.finished_at is not None
    assert _actions(export) == ["export.not_queued"]  # nothing claims the PDF is on its way

    again = editor_client.post(f"/plans/{plan.id}/exports", data={"version": "draft"}, follow_redirects=True)
    assert "could not be queued" in again.get_data(as_text=True)
    first, second = _exports(plan)
    assert second.id != first.id and second.status == "failed"  # a new try, not the dead export


def test_when_the_queue_takes_it_again_the_next_request_is_queued(plan, editor_client, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    monkeypatch.setattr(jobs, "submit_to_pool", lambda job, *, workers: None)
    response = editor_client.post(f"/plans/{plan.id}/exports", data={"version": "draft"})
    assert response.status_code == 302
    [export] = _exports(plan)
    assert export.status == "queued" and not export.error
    assert _actions(export) == ["export.requested"]
