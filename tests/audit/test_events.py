"""Every change writes exactly one audit event, in the same transaction as the change (SECURITY.md R31)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditChainHead, AuditEvent
from app.audit.services import verify_all_chains
from app.auth.models import Organization, Role, User
from app.extensions import db
from app.plans import services as plan_services
from app.plans.models import Plan, PlanSection
from app.plans.templates import get_template
from tests.core.world import signed_in
from tests.factories import TEMPLATE_DIR, create_org, create_plan, create_user


@dataclass
class Office:
    org: Organization
    admin: User
    editor: User
    viewer: User
    plan: Plan

    @property
    def section(self) -> PlanSection:
        return self.plan.sections[0]


@pytest.fixture
def office() -> Office:
    org = create_org()
    admin, editor, viewer = (create_user(org=org, role=r) for r in (Role.ADMIN, Role.EDITOR, Role.VIEWER))
    return Office(org, admin, editor, viewer, create_plan(org=org, owner=editor))


def events_after(event_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > event_id).order_by(AuditEvent.id)))


def last_event_id() -> int:
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def only_event(mark: int) -> AuditEvent:
    events = events_after(mark)
    assert len(events) == 1, [e.action for e in events]
    return events[0]


def test_creating_a_plan_records_one_event_with_actor_organization_and_plan(app, office):
    client = signed_in(app, office.editor)
    mark = last_event_id()
    response = client.post(
        "/plans/new",
        data={
            "title": "Digital County 2028",
            "template": "compact-five-section",
            "first_fiscal_year": "2028",
            "last_fiscal_year": "2031",
        },
    )
    assert response.status_code == 302
    event = only_event(mark)
    plan = db.session.scalar(select(Plan).where(Plan.title == "Digital County 2028"))
    assert (event.action, event.actor_id, event.organization_id) == ("plan.create", office.editor.id, office.org.id)
    assert (event.object_type, event.object_id) == ("plan", plan.id)
    assert json.loads(event.changes) == {
        "title": "Digital County 2028",
        "period": "FY2028–FY2031",
        "template": "compact-five-section",
    }


def test_saving_a_section_records_one_event_with_the_before_and_after(app, office):
    client = signed_in(app, office.editor)
    section = office.section
    words_before = section.word_count
    mark = last_event_id()
    response = client.post(
        f"/plans/{office.plan.id}/sections/{section.id}/edit",
        data={
            "title": section.title,
            "body": "Three short words",
            "version": section.version,
            "ready": "y",
            "save": "1",
        },
    )
    assert response.status_code == 302
    event = only_event(mark)
    assert (event.action, event.actor_id, event.organization_id) == ("section.update", office.editor.id, office.org.id)
    assert (event.object_type, event.object_id) == ("plan_section", section.id)
    assert json.loads(event.changes) == {
        "ready": {"before": False, "after": True},
        "words": {"before": words_before, "after": 3},
        "revision": 2,
    }


def remove_then_restore(app, office) -> list[AuditEvent]:
    client = signed_in(app, office.editor)
    base = f"/plans/{office.plan.id}/sections/{office.section.id}"
    events = []
    for action in ("delete", "restore"):
        mark = last_event_id()
        assert client.post(f"{base}/{action}").status_code == 302
        events.append(only_event(mark))
    return events


def test_removing_and_restoring_a_section_record_one_event_each(app, office):
    section_id = office.section.id
    removed, restored = remove_then_restore(app, office)
    for event, action in ((removed, "section.delete"), (restored, "section.restore")):
        assert (event.action, event.actor_id, event.organization_id) == (action, office.editor.id, office.org.id)
        assert (event.object_type, event.object_id) == ("plan_section", section_id)
    assert json.loads(removed.changes)["deleted"] == {"before": False, "after": True}
    assert json.loads(restored.changes)["deleted"] == {"before": True, "after": False}


def test_changing_a_role_records_one_event_with_the_before_and_after(app, office):
    client = signed_in(app, office.admin)
    mark = last_event_id()
    response = client.post(f"/admin/users/{office.viewer.id}", data={"role": "editor", "active": "y"})
    assert response.status_code == 302
    event = only_event(mark)
    assert (event.action, event.actor_id, event.organization_id) == ("user.role_change", office.admin.id, office.org.id)
    assert (event.object_type, event.object_id) == ("user", office.viewer.id)
    assert json.loads(event.changes) == {"role": {"before": "viewer", "after": "editor"}}


def test_a_rolled_back_service_call_leaves_no_event_and_the_chain_still_verifies(office):
    mark = last_event_id()
    head_before = db.session.get(AuditChainHead, f"org:{office.org.id}").seq
    plan_services.create_plan(
        organization=office.org,
        owner=office.editor,
        title="Abandoned",
        first_fiscal_year=2027,
        last_fiscal_year=2028,
        template=get_template(TEMPLATE_DIR, "compact-five-section"),
    )
    assert len(events_after(mark)) == 1  # flushed, not yet committed
    db.session.rollback()
    assert events_after(mark) == []
    assert db.session.get(AuditChainHead, f"org:{office.org.id}").seq == head_before
    plan_services.add_section(office.plan, user=office.editor, title="Kept")
    db.session.commit()
    assert [e.action for e in events_after(mark)] == ["section.create"]
    assert verify_all_chains()[1] == []


def test_a_save_that_fails_after_the_service_ran_leaves_neither_the_change_nor_an_event(app, office, monkeypatch):
    client = signed_in(app, office.editor)
    section = office.section
    body_before = section.body

    def crash(*_args, **_kwargs):  # the step between the service call and the commit
        raise RuntimeError("disk full")

    monkeypatch.setattr("app.plans.views.sections.discard_form_drafts", crash)
    mark = last_event_id()
    response = client.post(
        f"/plans/{office.plan.id}/sections/{section.id}/edit",
        data={"title": section.title, "body": "Never saved", "version": section.version, "save": "1"},
    )
    assert response.status_code == 500
    assert events_after(mark) == []
    assert db.session.get(PlanSection, section.id).body == body_before


@pytest.mark.parametrize(
    ("who", "action", "path", "data"),
    [
        ("editor", "section.create", "/plans/{plan}/sections", {"title": "Cloud exit plan"}),
        ("editor", "section.move", "/plans/{plan}/sections/{section}/move", {"direction": "down"}),
        ("editor", "section.update", "/plans/{plan}/sections/{section}/revisions/1/restore", {"version": "{version}"}),
        (
            "admin",
            "user.create",
            "/admin/users/new",
            {"name": "Pat Doe", "email": "pat@agency.example", "role": "viewer", "password": "Seven-Lanterns-Drift-4"},
        ),
        ("admin", "user.deactivate", "/admin/users/{viewer}", {"role": "viewer"}),
    ],
)
def test_every_other_change_records_exactly_one_event_by_the_signed_in_user(app, office, who, action, path, data):
    section = office.section
    if action == "section.update":  # something to restore from
        plan_services.save_section(
            section,
            user=office.editor,
            title=section.title,
            body="Newer text",
            base_version=section.version,
            ready=False,
        )
        db.session.commit()
    ids = {"plan": office.plan.id, "section": section.id, "viewer": office.viewer.id, "version": section.version}
    actor = getattr(office, who)
    client = signed_in(app, actor)
    mark = last_event_id()
    response = client.post(path.format(**ids), data={k: v.format(**ids) for k, v in data.items()})
    assert response.status_code == 302
    event = only_event(mark)
    assert (event.action, event.actor_id, event.organization_id) == (action, actor.id, office.org.id)
    assert event.changes != "{}"
