"""A decision is one transaction: a fault injected halfway leaves no decision, status change, audit event or
notice behind. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.governance.models import Decision, Notification, Review
from app.governance.services import decisions as service
from app.portfolio.models import Initiative
from tests.governance.factories import create_review, give_scores

APPROVE = {"outcome": "approve", "rationale": "Strong alignment with goal 2."}


class InjectedFault(RuntimeError):
    pass


@pytest.fixture
def scored(board, initiative, editor, members):  # type: ignore[no-untyped-def]
    review = create_review(board=board, initiative=initiative, submitted_by=editor)
    for member in members:
        give_scores(review, member, [4, 4, 3, 3, 5])
    return review


def _state(review_id: int, initiative_id: int) -> dict[str, object]:
    db.session.expire_all()
    return {
        "decisions": db.session.scalar(select(func.count(Decision.id))),
        "review": db.session.get(Review, review_id).status,  # type: ignore[union-attr]
        "initiative": db.session.get(Initiative, initiative_id).status,  # type: ignore[union-attr]
        "events": db.session.scalar(select(func.count(AuditEvent.id))),
        "notices": db.session.scalar(select(func.count(Notification.id))),
    }


@pytest.mark.parametrize("fault_at", ["status_audit", "status_change", "notification"])
def test_a_fault_halfway_leaves_nothing_behind(signed_in, chair, scored, initiative, monkeypatch, fault_at):
    client = signed_in(chair)  # signing in writes its own audit event
    before = _state(scored.id, initiative.id)
    real_record = service.record
    calls = {"n": 0}

    def record_then_fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:  # the decision's event is written; the status change's event fails
            raise InjectedFault("audit store unavailable")
        return real_record(*args, **kwargs)

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise InjectedFault("injected")

    if fault_at == "status_audit":
        monkeypatch.setattr(service, "record", record_then_fail)
    elif fault_at == "status_change":
        monkeypatch.setattr(service, "_move_initiative", fail)
    else:
        monkeypatch.setattr(service.inbox, "notify_decision_recorded", fail)
    response = client.post(f"/reviews/{scored.id}/decision", data=APPROVE)
    assert response.status_code == 500  # the error handler rolls the transaction back
    assert _state(scored.id, initiative.id) == before
    assert before["review"] == "open" and before["initiative"] == "submitted"
    monkeypatch.undo()
    # and the chair can then record it normally
    assert client.post(f"/reviews/{scored.id}/decision", data=APPROVE).status_code == 302
    after = _state(scored.id, initiative.id)
    assert after["decisions"] == 1 and after["initiative"] == "approved"
