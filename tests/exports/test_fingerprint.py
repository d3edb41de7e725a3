"""Cached downloads are instant: a repeated request for unchanged content is answered from the fingerprint,
without building the print HTML, and any change a PDF would show changes the fingerprint."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import template_rendered

from app.auth.models import Role
from app.core.db import utcnow
from app.exports import services
from app.exports.fingerprint import export_fingerprint
from app.exports.models import Export
from app.exports.pdf import render
from app.exports.services import building
from app.extensions import db
from app.governance.models import Decision
from app.objectives.models import Kpi, KpiMeasurement
from app.plans import services as plan_services
from tests.exports.test_board_pack import meeting  # noqa: F401 - the board pack fixture
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

        monkeypatch.setattr(building, "plan_document", no_html)  # its time is in make bench (about 12 ms)
        for _ in range(3):
            again = services.request_plan_pdf(plan, user=None)
            assert again.reused and again.export.id == first.export.id
        monkeypatch.undo()
        _edit_section(world)
        db.session.commit()
        changed = services.request_plan_pdf(plan, user=None)
        assert not changed.reused and changed.export.id != first.export.id
    assert db.session.scalar(db.select(db.func.count()).select_from(Export).where(Export.plan_id == plan.id)) == 2


@contextmanager
def _templates_rendered(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    names: list[str] = []

    def note(sender, template, context, **extra) -> None:  # type: ignore[no-untyped-def]
        names.append(template.name)

    with template_rendered.connected_to(note, app):
        yield names


def test_the_request_builds_no_print_html_even_when_the_plan_changed(app, world) -> None:  # type: ignore[no-untyped-def]
    """The print HTML (up to a second for a large plan) is built by the render job, never by the request: the
    request records the export and queues a job that names the plan, version, kind and options."""
    plan = world["plan"]
    with app.test_request_context("/"), _templates_rendered(app) as rendered:
        requested = services.request_plan_pdf(plan, user=None, version=None, one_pagers=True, start=False)
    assert "exports/plan.html" not in rendered
    assert not requested.reused and requested.job is not None and requested.job.html == ""
    source = requested.job.source
    assert source is not None
    assert (source.plan_id, source.version_number, source.kind, source.one_pagers, source.organization_id) == (
        plan.id, None, "plan_pdf", True, plan.organization_id,
    )  # fmt: skip
    with app.test_request_context("/"), _templates_rendered(app) as rendered:
        services.dispatch(requested)  # the job (inline in tests) builds it
    assert "exports/plan.html" in rendered
    services.refresh(requested.export)
    assert requested.export.status == "ready" and len(requested.export.snapshot_hash) == 64


def test_a_board_pack_request_builds_no_html_and_a_repeat_is_reused(app, meeting) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with app.test_request_context("/"), _templates_rendered(app) as rendered:
        first = services.request_board_pack(meeting["meeting"], user=None, start=False)
    assert "exports/board_pack.html" not in rendered
    with app.test_request_context("/"):
        db.session.commit()
        services.dispatch(first)
        services.refresh(first.export)
        assert first.export.status == "ready"
        again = services.request_board_pack(meeting["meeting"], user=None)
    assert again.reused and again.export.id == first.export.id


def test_identical_content_under_a_new_fingerprint_is_not_rendered_again(app, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A change that leaves the PDF identical (e.g. another plan's edit) misses the fingerprint: the new job
    builds the HTML, finds the identical export's file and reuses it without rendering; the next identical
    request is answered from the new fingerprint."""
    plan = world["plan"]
    with app.test_request_context("/"):
        first = services.request_plan_pdf(plan, user=None)
        db.session.commit()
        services.refresh(first.export)
        db.session.commit()
        assert first.export.status == "ready"
        other = create_plan(org=world["org"], owner=world["editor"], title="Another plan")
        other.title = "Another plan, renamed"
        db.session.commit()
        built, renders = [], []
        real_document, real_render = building.plan_document, render.render_pdf

        def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
            built.append(1)
            return real_document(*args, **kwargs)

        def rendering(*args, **kwargs):  # type: ignore[no-untyped-def]
            renders.append(1)
            return real_render(*args, **kwargs)

        monkeypatch.setattr(building, "plan_document", counting)
        monkeypatch.setattr(render, "render_pdf", rendering)
        second = services.request_plan_pdf(plan, user=None)
        db.session.commit()
        services.refresh(second.export)
        db.session.commit()
        assert not second.reused and second.export.id != first.export.id
        assert second.export.status == "ready" and second.export.sha256 == first.export.sha256
        assert second.export.snapshot_hash == first.export.snapshot_hash
        assert services.file_path(second.export) == services.file_path(first.export)
        assert services.request_plan_pdf(plan, user=None).export.id == second.export.id
    assert built == [1] and renders == []
