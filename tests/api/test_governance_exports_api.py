"""Boards' decisions (read) and plan PDFs (request → 202, poll, download) through the API."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.exports.models import Export
from app.extensions import db
from tests.api.world import Api, assert_problem, make_token
from tests.core.world import build_tenant


def test_boards_and_their_decisions_are_read(app):
    tenant = build_tenant("GOV")
    decision = tenant.decisions.decision
    api = Api(app, make_token(tenant.users[Role.VIEWER], tenant.org, scope="read")[1])
    boards = api.get("/api/v1/boards").get_json()
    assert tenant.governance.board.id in [b["id"] for b in boards["items"]]
    listed = api.get(f"/api/v1/boards/{decision.board_id}/decisions").get_json()
    assert decision.id in [d["id"] for d in listed["items"]]
    one = api.get(f"/api/v1/decisions/{decision.id}").get_json()
    assert one["outcome"] == decision.outcome and one["rationale"] == decision.rationale
    assert one["subject_kind"] == "initiative" and one["initiative_code"]
    assert one["decided_by"] == decision.decided_by.name


def test_request_poll_and_download_a_plan_pdf(app, org, editor, plan):
    api = Api(app, make_token(editor, scope="read-write")[1])
    requested = api.post(f"/api/v1/plans/{plan.id}/exports", json={})
    assert requested.status_code == 202, requested.get_json()
    status_url = requested.headers["Location"]
    assert status_url == requested.get_json()["status_url"]
    polled = api.get(status_url).get_json()
    assert polled["status"] == "ready", polled  # tests render in the calling thread
    download = api.get(polled["download_url"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF") and "attachment" in download.headers["Content-Disposition"]
    download.close()
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "export")).all()
    assert actions == ["export.requested", "export.downloaded"]
    again = api.post(f"/api/v1/plans/{plan.id}/exports")  # no body: the current draft; the same PDF is reused
    assert again.status_code == 202 and again.get_json()["id"] == polled["id"]


def test_export_refusals_are_problems(app, org, editor, plan):
    api = Api(app, make_token(editor)[1])
    missing = assert_problem(api.post(f"/api/v1/plans/{plan.id}/exports", json={"version": 7}), 422)
    assert "no version 7" in missing["errors"][0]["message"]
    queued = Export(  # an id no rendered test export used: render results are files named by export id
        id=900_001,
        organization_id=org.id,
        plan_id=plan.id,
        snapshot_hash="1" * 64,
        template_version="t",
        filename="p.pdf",
    )
    db.session.add(queued)
    db.session.commit()
    assert_problem(api.get(f"/api/v1/exports/{queued.id}/file"), 409)
    app.config["EXPORT_RATE_PER_MINUTE"] = 0
    try:
        limited = api.post(f"/api/v1/plans/{plan.id}/exports", json={"one_pagers": True})
        assert_problem(limited, 429)
        assert limited.headers["Retry-After"] == "60"
    finally:
        app.config["EXPORT_RATE_PER_MINUTE"] = 20
    assert db.session.scalars(select(Export).where(Export.plan_id == plan.id)).all() == [queued]
