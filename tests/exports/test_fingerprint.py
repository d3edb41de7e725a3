"""Cached downloads are instant: a repeated request for unchanged content is answered from the fingerprint,
without building the print HTML, and any change a PDF would show changes the fingerprint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.auth.models import Role
from app.core.db import utcnow
from app.exports import services
from app.exports.fingerprint import export_fingerprint
from app.exports.models import Export
from app.exports.pdf import documents
from app.exports.services import requests as export_requests
from app.extensions import db
from app.governance.models import Decision
from app.objectives.models import Kpi, KpiMeasurement
from app.plans import services as plan_services
from tests.factories import create_org, create_plan, create_user
from tests.governance.factories import create_board, create_review
from tests.portfolio.factories import add_cost, create_initiative, create_objective

TODAY = date(2027, 3, 1)


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    org = create_org(name="Office of the State CIO")
    editor = create_user(org=org, role=Role.EDITOR)
    plan = create_plan(org=org, owner=editor, title="Digital State 2027–2030")
    initiative = create_initiative(org=org, user=editor, title="Statewide identity platform")
    cost = add_cost(initiative, user=editor, fiscal_year=2027, capital="1200000")
    objective = create_objective(org=org)
    kpi = Kpi(
        organization_id=org.id,
        objective_id=objective.id,
        name="Residents who sign in once",
        unit="%",
        baseline_value=Decimal("12"),
        baseline_date=date(2026, 7, 1),
        target_value=Decimal("60"),
        target_date=date(2029, 6, 30),
    )
    db.session.add(kpi)
    db.session.flush()
    reading = KpiMeasurement(
        kpi_id=kpi.id, measured_on=date(2026, 12, 31), value=Decimal("18"), entered_by_id=editor.id
    )
    db.session.add(reading)
    board = create_board(org=org, members=[(editor, "chair")])
    review = create_review(board=board, initiative=initiative, submitted_by=editor)
    db.session.commit()
    return {"org": org, "editor": editor, "plan": plan, "initiative": initiative, "cost": cost, "reading": reading,
            "review": review, "board": board}  # fmt: skip


def fingerprint(plan, **overrides) -> str:  # type: ignore[no-untyped-def]
    values = {"kind": "plan_pdf", "plan_id": plan.id, "version_number": None, "one_pagers": False, "today": TODAY}
    return export_fingerprint(**{**values, **overrides})


def _edit_section(w) -> None:  # type: ignore[no-untyped-def]
    section = w["plan"].sections[0]
    body = section.body + "\n\nThe office adds two more agencies in FY2028."
    plan_services.save_section(
        section, user=w["editor"], title=section.title, body=body, base_version=section.version, ready=True
    )


def _edit_initiative(w) -> None:  # type: ignore[no-untyped-def]
    w["initiative"].summary = "Now also covers business licences."


def _edit_cost(w) -> None:  # type: ignore[no-untyped-def]
    w["cost"].operating = Decimal("5000.00")  # a child row without its own timestamp


def _edit_reading(w) -> None:  # type: ignore[no-untyped-def]
    w["reading"].value = Decimal("19")


def _add_decision(w) -> None:  # type: ignore[no-untyped-def]
    review = w["review"]
    db.session.add(
        Decision(
            organization_id=review.organization_id,
            board_id=review.board_id,
            review_id=review.id,
            outcome="approve",
            rationale="Funded from the FY2027 capital envelope.",
            decided_by_id=w["editor"].id,
            decided_at=utcnow(),
        )
    )


def _relabel(w) -> None:  # type: ignore[no-untyped-def]
    w["org"].classification_label = "PUBLIC"


def _rename_board(w) -> None:  # type: ignore[no-untyped-def]
    w["board"].name = "Technology Investment Board"


@pytest.mark.parametrize(
    "change",
    [_edit_section, _edit_initiative, _edit_cost, _edit_reading, _add_decision, _relabel, _rename_board],
    ids=lambda f: f.__name__.lstrip("_"),
)
def test_every_change_a_pdf_shows_changes_the_fingerprint(world, change: Callable) -> None:  # type: ignore[no-untyped-def]
    before = fingerprint(world["plan"])
    assert fingerprint(world["plan"]) == before  # stable while nothing changes
    change(world)
    db.session.commit()
    assert fingerprint(world["plan"]) != before


def test_options_date_and_version_are_part_of_the_fingerprint(world) -> None:  # type: ignore[no-untyped-def]
    plan = world["plan"]
    base = fingerprint(plan)
    assert fingerprint(plan, one_pagers=True) != base
    assert fingerprint(plan, today=TODAY + timedelta(days=1)) != base
    assert fingerprint(plan, version_number=1) != base
    assert fingerprint(plan, kind="archive") != base


def test_reading_and_downloading_leave_the_fingerprint_alone(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    plan = world["plan"]
    before = fingerprint(plan, today=utcnow().date())
    client = signed_in(world["editor"])
    response = client.post(f"/plans/{plan.id}/exports", data={"version": "draft"})
    client.get(response.headers["Location"] + "/download").close()  # an export row, audit events, a session
    assert fingerprint(plan, today=utcnow().date()) == before


def test_a_repeated_request_builds_no_html(app, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    plan = world["plan"]
    with app.test_request_context("/"):
        first = services.request_plan_pdf(plan, user=None)
        db.session.commit()
        services.dispatch(first)

        def no_html(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise AssertionError("the print HTML was built for an unchanged plan")

        monkeypatch.setattr(export_requests, "plan_document", no_html)  # its time is in make bench (about 12 ms)
        for _ in range(3):
            again = services.request_plan_pdf(plan, user=None)
            assert again.reused and again.export.id == first.export.id
        monkeypatch.undo()
        _edit_section(world)
        db.session.commit()
        changed = services.request_plan_pdf(plan, user=None)
        assert not changed.reused and changed.export.id != first.export.id
    assert db.session.scalar(db.select(db.func.count()).select_from(Export).where(Export.plan_id == plan.id)) == 2


def test_a_snapshot_hit_learns_the_new_fingerprint(app, world) -> None:  # type: ignore[no-untyped-def]
    """A change that leaves the PDF identical (e.g. another plan's edit) costs one HTML build, then is instant."""
    plan = world["plan"]
    with app.test_request_context("/"):
        first = services.request_plan_pdf(plan, user=None)
        db.session.commit()
        services.dispatch(first)
        other = create_plan(org=world["org"], owner=world["editor"], title="Another plan")
        other.title = "Another plan, renamed"
        db.session.commit()
        built = []
        real = documents.plan_document
        original = export_requests.plan_document

        def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
            built.append(1)
            return real(*args, **kwargs)

        export_requests.plan_document = counting  # type: ignore[assignment]
        try:
            assert services.request_plan_pdf(plan, user=None).export.id == first.export.id
            assert services.request_plan_pdf(plan, user=None).export.id == first.export.id
        finally:
            export_requests.plan_document = original  # type: ignore[assignment]
    assert built == [1]
