"""Frozen means frozen: an adopted plan version shows the portfolio as the board saw it, everywhere (its web
page, PDF, the board pack, the public edition and its open data, StratML), however the portfolio changes
afterwards; the draft shows the changes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.core.db import utcnow
from app.exports.pdf.documents import board_pack_document, board_pack_meeting, plan_document
from app.exports.pdf.render import render_pdf
from app.extensions import db
from app.governance.models import AgendaItem, Meeting
from app.governance.services import adoption
from app.objectives import services as objective_services
from app.objectives.models import Kpi, PolicyObjective
from app.portfolio import services as portfolio_services
from app.portfolio.models import Initiative
from app.publication import services as publication_services
from app.publication.content import public_plan
from app.publication.pdf import print_html
from tests.exports.pdfcheck import page_texts
from tests.publication.world import PublishedWorld, _initiative, _kpi_fields, build_published_world

LATER = "LATERWORKQ"  # in every title typed after adoption: the adopted version must never show it
CODE = re.compile(r"INI-\d{4}")


@pytest.fixture
def world() -> PublishedWorld:
    return build_published_world()


@pytest.fixture
def meeting(world: PublishedWorld) -> Meeting:
    """A board meeting with the adopted version on its agenda (for the board pack)."""
    review = adoption.review_of(world.version)
    assert review is not None
    found = Meeting(
        organization_id=world.org.id,
        board_id=world.board.id,
        title="Plan adoption meeting",
        starts_at=utcnow() + timedelta(days=3),
        location="Room 1",
        created_by_id=world.admin.id,
    )
    found.items.append(AgendaItem(review_id=review.id, position=1))
    db.session.add(found)
    db.session.commit()
    return found


def _steady(html: str) -> str:
    """A page without what differs between two requests for the same content (CSRF tokens, nonces)."""
    html = re.sub(r'(name="csrf_token"[^>]*?value=")[^"]*', r"\1", html)
    html = re.sub(r'(data-csrf=")[^"]*', r"\1", html)
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


@dataclass
class Outputs:
    version_page: str
    print_html: str
    board_pack: str
    public_page: str
    public_print: str
    open_data: dict[str, bytes]
    stratml: dict[str, bytes]


def _outputs(app: Flask, client: FlaskClient, world: PublishedWorld, meeting: Meeting, slug: str) -> Outputs:
    db.session.expire_all()
    version_page = client.get(f"/plan-versions/{world.version.id}")
    assert version_page.status_code == 200
    base = f"/public/plans/{slug}"
    data = {name: client.get(f"{base}/data/{name}.csv").data for name in ("objectives", "initiatives", "costs", "kpis")}
    data["json"] = client.get(f"{base}/data.json").data
    stratml = {
        part: client.get(f"/plans/{world.plan.id}/stratml?part={part}&version={world.version.number}").data
        for part in ("1", "2")
    }
    with app.test_request_context("/"):
        printed = plan_document(world.plan, version=world.version, today=date(2027, 1, 4), one_pagers=True).html
        pack = board_pack_document(board_pack_meeting(meeting.id), today=date(2027, 1, 4)).html  # type: ignore[arg-type]
        public_print = print_html(public_plan(publication_services.publication_of(world.plan)))  # type: ignore[arg-type]
    return Outputs(
        version_page=_steady(version_page.get_data(as_text=True)),
        print_html=printed,
        board_pack=pack,
        public_page=_steady(client.get(base).get_data(as_text=True)),
        public_print=public_print,
        open_data=data,
        stratml=stratml,
    )


def _change_everything(world: PublishedWorld) -> None:
    """After adoption: add, edit and delete initiatives, objectives, KPIs (and readings) and costs."""
    editor, org = world.users[next(r for r in world.users if r.value == "editor")], world.org
    objective = db.session.scalar(
        db.select(PolicyObjective).where(PolicyObjective.organization_id == org.id, PolicyObjective.code == "G1.1")
    )
    assert objective is not None
    added = _initiative(org, editor, "INI-0099", f"{LATER} added initiative")
    portfolio_services.add_cost(
        added, user=editor, fiscal_year=2028, capital=Decimal("777000.00"), operating=Decimal("0")
    )
    portfolio_services.link_objective(added, user=editor, objective=objective, role="primary", rationale="")
    main = world.initiative
    main.title = f"{LATER} renamed initiative"
    cost = main.costs[0]
    portfolio_services.update_cost(
        cost, user=editor, fiscal_year=cost.fiscal_year, capital=Decimal("999000.00"), operating=cost.operating
    )
    portfolio_services.add_cost(
        main, user=editor, fiscal_year=2029, capital=Decimal("123000.00"), operating=Decimal("1000.00")
    )
    gone = db.session.scalar(
        db.select(Initiative).where(Initiative.organization_id == org.id, Initiative.code == "INI-0002")
    )
    assert gone is not None
    gone.status = "cancelled"  # only an initiative that will not go ahead can be deleted
    portfolio_services.delete_initiative(gone, user=editor)
    objective.title = f"{LATER} renamed objective"
    new_objective = objective_services.create_objective(
        organization=org,
        user=editor,
        parent=objective.parent,
        fields=objective_services.ObjectiveFields(code="G1.9", title=f"{LATER} added objective"),
    )
    kpis = db.session.scalars(db.select(Kpi).where(Kpi.organization_id == org.id, Kpi.deleted_at.is_(None))).all()
    objective_services.add_measurement(kpis[0], user=editor, measured_on=date(2026, 1, 31), value=Decimal("97.25"))
    kpis[0].name = f"{LATER} renamed KPI"
    objective_services.delete_kpi(kpis[-1], user=editor)
    objective_services.create_kpi(
        organization=org, user=editor, objective=new_objective, fields=_kpi_fields(f"{LATER} added KPI")
    )
    db.session.commit()


def test_an_adopted_version_shows_the_same_everywhere_after_the_portfolio_changes(
    app: Flask, client: FlaskClient, signed_in, world: PublishedWorld, meeting: Meeting
) -> None:
    publication = publication_services.publish(world.plan, user=world.admin)
    db.session.commit()
    admin = signed_in(world.admin)
    before = _outputs(app, admin, world, meeting, publication.slug)
    with app.test_request_context("/"):
        pdf_before = " ".join(page_texts(render_pdf(before.print_html).pdf))
    assert LATER not in pdf_before and "INI-0001" in pdf_before

    _change_everything(world)

    after = _outputs(app, admin, world, meeting, publication.slug)
    assert after.version_page == before.version_page
    assert after.print_html == before.print_html
    assert after.board_pack == before.board_pack
    assert after.public_page == before.public_page
    assert after.public_print == before.public_print
    assert after.open_data == before.open_data
    assert after.stratml == before.stratml
    with app.test_request_context("/"):
        assert " ".join(page_texts(render_pdf(after.print_html).pdf)) == pdf_before
        draft = plan_document(world.plan, today=date(2027, 1, 4), one_pagers=True).html
    # the draft is live: every change shows there
    for text in ("renamed initiative", "added initiative", "renamed objective", "added objective", "renamed KPI"):
        assert f"{LATER} {text}" in draft, text
    assert "INI-0099" in draft and "999,000" in draft


def test_the_pdf_and_the_public_edition_of_an_adopted_version_list_the_same_initiatives(
    app: Flask, client: FlaskClient, world: PublishedWorld
) -> None:
    publication = publication_services.publish(world.plan, user=world.admin)
    db.session.commit()
    _change_everything(world)  # INI-0099 added, INI-0002 deleted after adoption
    with app.test_request_context("/"):
        pdf = render_pdf(plan_document(world.plan, version=world.version).html).pdf
    in_pdf = set(CODE.findall(" ".join(page_texts(pdf))))
    public = client.get(f"/public/plans/{publication.slug}/data.json").get_json()
    in_public = {row["code"] for row in public["initiatives"]}
    assert in_pdf == in_public
    assert "INI-0002" in in_pdf and "INI-0099" not in in_pdf
