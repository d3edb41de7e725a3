"""Every portfolio change writes exactly one audit event, with what changed; nothing is committed by a service."""

from datetime import date
from decimal import Decimal

import pytest

from app.extensions import db
from app.portfolio import services
from app.portfolio.models import Initiative
from tests.portfolio.factories import add_cost, create_initiative, create_objective
from tests.portfolio.helpers import changes_of, events_since, initiative_count, last_event_id


def only_event(last: int):  # type: ignore[no-untyped-def]
    events = events_since(last)
    assert len(events) == 1, [e.action for e in events]
    return events[0]


def test_creating_records_the_whole_initiative(org, editor):
    last = last_event_id()
    initiative = create_initiative(org=org, user=editor, code="INI-0042", start_date=date(2026, 7, 1))
    event = only_event(last)
    assert (event.action, event.actor_id, event.organization_id) == ("initiative.create", editor.id, org.id)
    assert (event.object_type, event.object_id) == ("initiative", initiative.id)
    changes = changes_of(event)
    assert changes["code"] == "INI-0042"
    assert changes["start_date"] == "2026-07-01"
    assert changes["status"] == "proposed"


def test_editing_records_only_the_fields_that_changed(org, editor, initiative):
    last = last_event_id()
    fields = services.InitiativeFields(code="INI-0001", title="Permits online", owner="Dana")
    assert services.update_initiative(initiative, user=editor, fields=fields, base_version=initiative.version)
    db.session.commit()
    assert changes_of(only_event(last)) == {
        "title": {"before": "Online permits", "after": "Permits online"},
        "owner": {"before": "", "after": "Dana"},
    }


def test_saving_without_changes_records_nothing(editor, initiative):
    last = last_event_id()
    fields = services.InitiativeFields(code="INI-0001", title="Online permits")
    assert not services.update_initiative(initiative, user=editor, fields=fields, base_version=initiative.version)
    assert events_since(last) == []


def test_cost_changes_record_money_as_strings(editor, initiative):
    last = last_event_id()
    cost = add_cost(initiative, user=editor, fiscal_year=2027, capital="1250000.5", operating="10")
    assert changes_of(only_event(last)) == {
        "cost_id": cost.id,
        "fiscal_year": 2027,
        "capital": "1250000.50",
        "operating": "10.00",
    }
    last = last_event_id()
    services.update_cost(cost, user=editor, fiscal_year=2027, capital=Decimal("99.99"), operating=Decimal("10"))
    db.session.commit()
    assert changes_of(only_event(last)) == {"cost_id": cost.id, "capital": {"before": "1250000.50", "after": "99.99"}}


def _milestone(initiative, editor):  # type: ignore[no-untyped-def]
    return services.add_milestone(initiative, user=editor, title="Beta", due_date=date(2027, 1, 1))


def _risk(initiative, editor):  # type: ignore[no-untyped-def]
    return services.add_risk(initiative, user=editor, fields=services.RiskFields("Vendor", 4, 4))


def _nothing(org, user):  # type: ignore[no-untyped-def]
    return None


# action -> (set-up that may write its own events, the change under test)
OPERATIONS = {
    "initiative.status": (_nothing, lambda i, u, _: services.change_status(i, user=u, new_status="cancelled")),
    "initiative.delete": (_nothing, lambda i, u, _: services.delete_initiative(i, user=u)),
    "initiative.milestone.create": (_nothing, lambda i, u, _: _milestone(i, u)),
    "initiative.risk.create": (_nothing, lambda i, u, _: _risk(i, u)),
    "initiative.cost.create": (
        _nothing,
        lambda i, u, _: services.add_cost(i, user=u, fiscal_year=2027, capital=Decimal("1"), operating=Decimal("0")),
    ),
    "initiative.dependency.create": (
        lambda org, u: create_initiative(org=org, user=u, code="INI-0002"),
        lambda i, u, other: services.add_dependency(i, user=u, depends_on=other),
    ),
    "initiative.objective.link": (
        lambda org, u: create_objective(org=org),
        lambda i, u, objective: services.link_objective(i, user=u, objective=objective, role="supporting"),
    ),
}


@pytest.mark.parametrize("action", list(OPERATIONS))
def test_each_change_writes_exactly_one_event(org, editor, initiative, action):
    set_up, change = OPERATIONS[action]
    prepared = set_up(org, editor)
    last = last_event_id()
    change(initiative, editor, prepared)
    event = only_event(last)
    assert (event.action, event.actor_id, event.object_id) == (action, editor.id, initiative.id)


@pytest.mark.parametrize(
    ("add", "update", "remove", "noun"),
    [
        (
            _milestone,
            lambda m, u: services.update_milestone(m, user=u, title="Public beta", due_date=date(2027, 1, 1)),
            lambda m, u: services.remove_milestone(m, user=u),
            "milestone",
        ),
        (
            _risk,
            lambda r, u: services.update_risk(r, user=u, fields=services.RiskFields("Vendor", 2, 4, "Escrow")),
            lambda r, u: services.remove_risk(r, user=u),
            "risk",
        ),
    ],
)
def test_parts_are_audited_when_changed_and_removed(editor, initiative, add, update, remove, noun):
    part = add(initiative, editor)
    db.session.commit()
    last = last_event_id()
    update(part, editor)
    event = only_event(last)
    assert event.action == f"initiative.{noun}.update"
    last = last_event_id()
    remove(part, editor)
    assert only_event(last).action == f"initiative.{noun}.delete"


def test_risk_update_records_the_new_score(editor, initiative):
    risk = _risk(initiative, editor)
    last = last_event_id()
    services.update_risk(risk, user=editor, fields=services.RiskFields("Vendor", 2, 4, "Escrow"))
    changes = changes_of(only_event(last))
    assert changes["score"] == {"before": 16, "after": 8}
    assert changes["mitigation"] == {"before": "", "after": "Escrow"}


def test_unlinking_and_removing_a_dependency_are_audited(org, editor, initiative):
    other = create_initiative(org=org, user=editor, code="INI-0002")
    dependency = services.add_dependency(initiative, user=editor, depends_on=other)
    link = services.link_objective(
        initiative, user=editor, objective=create_objective(org=org, code="G9"), role="primary"
    )
    last = last_event_id()
    services.remove_dependency(dependency, user=editor)
    assert changes_of(only_event(last)) == {"dependency_id": dependency.id, "depends_on": "INI-0002"}
    last = last_event_id()
    services.unlink_objective(link, user=editor)
    event = only_event(last)
    assert (event.action, changes_of(event)["objective"]) == ("initiative.objective.unlink", "G9")


def test_services_flush_but_never_commit(org, editor):
    before = initiative_count()
    services.create_initiative(organization=org, user=editor, fields=services.InitiativeFields("INI-0077", "Draft"))
    assert initiative_count() == before + 1
    db.session.rollback()
    assert initiative_count() == before
    assert db.session.scalar(db.select(Initiative).where(Initiative.code == "INI-0077")) is None
