"""Catalogue, principle, tie and answer rules, and their audit events."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from app.architecture import services
from app.architecture.models import PrincipleAnswer, SharedService
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from tests.architecture.factories import create_principle, create_service, create_standard, tie
from tests.factories import create_org, create_user
from tests.portfolio.helpers import changes_of, events_since, last_event_id


def test_a_service_is_used_by_its_own_organization_and_lists_its_standards(org, editor):
    nist = create_standard(org=org, user=editor)
    wcag = create_standard(org=org, user=editor, name="WCAG 2.1 AA")
    mark = last_event_id()
    service = create_service(org=org, user=editor, standards=[nist, wcag])
    assert [link.organization_id for link in service.user_links] == [org.id]
    assert sorted(link.standard.name for link in service.standard_links) == ["NIST SP 800-53 Rev. 5", "WCAG 2.1 AA"]
    [event] = events_since(mark)
    assert event.action == "service.create" and event.object_type == "shared_service"
    assert changes_of(event)["standards"] == ["NIST SP 800-53 Rev. 5", "WCAG 2.1 AA"]


def test_a_service_name_is_unique_in_the_catalogue_whatever_the_case(org, editor):
    create_service(org=org, user=editor, name="Identity Hub")
    with pytest.raises(services.FieldError, match="already has"):
        create_service(org=org, user=editor, name="identity hub")


def test_only_family_organizations_can_use_a_service(org, editor):
    agency = create_org(name="Department of Health IT", parent=org)
    stranger = create_org(name="Unrelated County IT")
    service = create_service(org=org, user=editor, users=[agency])
    assert {link.organization_id for link in service.user_links} == {org.id, agency.id}
    with pytest.raises(services.FieldError, match="parent, its child and its sibling"):
        create_service(org=org, user=editor, name="Payments Gateway", users=[stranger])


def test_readers_cannot_change_the_catalogue(org, viewer):
    with pytest.raises(PermissionDenied):
        services.create_service(
            organization=org, user=viewer, fields=services.ServiceFields(name="Notify", kind="integration")
        )


def test_an_update_records_what_changed_and_raises_the_version(org, editor):
    nist = create_standard(org=org, user=editor)
    service = create_service(org=org, user=editor)
    version = service.version
    mark = last_event_id()
    fields = services.ServiceFields(
        name="Identity Hub",
        kind="security",
        lifecycle="retire",
        owner="Enterprise Identity team",
        description="SSO and MFA.",
    )
    assert services.update_service(service, user=editor, fields=fields, standards=[nist], base_version=version)
    db.session.commit()
    [event] = events_since(mark)
    assert changes_of(event) == {
        "lifecycle": {"before": "operate", "after": "retire"},
        "standards": {"before": [], "after": ["NIST SP 800-53 Rev. 5"]},
    }
    assert service.version == version + 1
    with pytest.raises(services.EditConflict):
        services.update_service(service, user=editor, fields=fields, base_version=version)


def test_a_service_an_initiative_uses_cannot_be_removed(org, editor, initiative):
    service = create_service(org=org, user=editor)
    tie(initiative, service, user=editor)
    with pytest.raises(DomainError, match="1 initiative reuses or delivers"):
        services.delete_service(service, user=editor)


def test_an_exception_needs_a_justification(org, editor, initiative):
    principle = create_principle(org=org, user=editor)
    with pytest.raises(services.FieldError, match="needs a justification") as refused:
        services.answer_principle(initiative, user=editor, principle=principle, answer="exception", justification="  ")
    assert refused.value.field == "justification"
    assert db.session.scalar(db.select(db.func.count()).select_from(PrincipleAnswer)) == 0


def test_the_database_refuses_an_unjustified_exception_too(org, editor, initiative):
    principle = create_principle(org=org, user=editor)
    db.session.add(PrincipleAnswer(initiative_id=initiative.id, principle_id=principle.id, answer="exception"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_answers_are_recorded_on_the_initiative_and_a_changed_answer_replaces_the_old(org, editor, initiative):
    principle = create_principle(org=org, user=editor)
    mark = last_event_id()
    assert services.answer_principle(initiative, user=editor, principle=principle, answer="complies")
    assert services.answer_principle(
        initiative, user=editor, principle=principle, answer="exception", justification="Vendor contract to 2028."
    )
    assert not services.answer_principle(
        initiative, user=editor, principle=principle, answer="exception", justification="Vendor contract to 2028."
    )
    db.session.commit()
    answers = db.session.scalars(db.select(PrincipleAnswer)).all()
    assert [(a.answer, a.justification) for a in answers] == [("exception", "Vendor contract to 2028.")]
    events = events_since(mark)
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("initiative.principle_answer", "initiative", initiative.id),
        ("initiative.principle_answer", "initiative", initiative.id),
    ]
    assert "is an exception to" in events[1].summary


def test_an_initiative_cannot_answer_another_organizations_principle(org, editor, initiative):
    other = create_org()
    principle = create_principle(org=other, user=create_user(org=other, role=Role.EDITOR))
    with pytest.raises(services.FieldError):
        services.answer_principle(initiative, user=editor, principle=principle, answer="complies")


def test_an_initiative_ties_to_services_shared_with_its_organization_only(org, editor):
    agency = create_org(name="Department of Health IT", parent=org)
    agency_editor = create_user(org=agency, role=Role.EDITOR)
    from tests.portfolio.factories import create_initiative

    health = create_initiative(org=agency, user=agency_editor, code="DHS-001", title="Health portal")
    shared = create_service(org=org, user=editor, users=[agency])
    private = create_service(org=org, user=editor, name="Payments Gateway")
    tie(health, shared, user=agency_editor)
    with pytest.raises(services.FieldError, match="catalogue"):
        services.tie_service(health, user=agency_editor, service=private, relation="reuses")
    with pytest.raises(services.FieldError, match="already reuses"):
        services.tie_service(health, user=agency_editor, service=shared, relation="delivers")


def test_removing_a_principle_removes_its_answers_and_says_how_many(org, editor, initiative):
    principle = create_principle(org=org, user=editor)
    services.answer_principle(initiative, user=editor, principle=principle, answer="complies")
    db.session.commit()
    mark = last_event_id()
    services.delete_principle(principle, user=editor)
    db.session.commit()
    [event] = events_since(mark)
    assert event.summary == "Removed the principle “Reuse before buy before build” and 1 answer to it"
    assert db.session.scalar(db.select(db.func.count()).select_from(PrincipleAnswer)) == 0


def test_a_standard_a_service_follows_cannot_be_removed(org, editor):
    nist = create_standard(org=org, user=editor)
    create_service(org=org, user=editor, standards=[nist])
    with pytest.raises(DomainError, match="1 service follows"):
        services.delete_standard(nist, user=editor)
    assert db.session.scalar(db.select(db.func.count()).select_from(SharedService)) == 1
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == "standard.delete")
        )
        == 0
    )
