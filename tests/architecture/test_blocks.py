"""The services and principles live blocks, and the governance intake summary."""

from __future__ import annotations

from flask import render_template

from app.architecture import services
from app.architecture.queries import intake_context
from app.extensions import db
from app.portfolio.blocks import render_plan_markdown
from tests.architecture.factories import create_principle, create_service, tie
from tests.factories import create_plan
from tests.plans.html import parse, squash
from tests.sql import counted_statements


def text_of(html: str) -> str:
    return squash(parse(html).text)


def test_the_services_block_lists_the_catalogue_filtered_by_kind(app, org, editor):
    create_service(org=org, user=editor, name="Identity Hub", kind="security")
    create_service(org=org, user=editor, name="GIS Platform", kind="data", lifecycle="build")
    plan = create_plan(org=org, owner=editor)
    with app.test_request_context():
        html = render_plan_markdown(plan, "```planwright services kind=data\n```")
        everything = render_plan_markdown(plan, "```planwright services\n```")
        wrong = render_plan_markdown(plan, "```planwright services kind=mapping\n```")
    assert "GIS Platform" in html and "Identity Hub" not in html
    assert "Identity Hub" in everything
    assert (
        "Unknown kind “mapping”. Use one or more of: infrastructure, application, data, security, integration."
        in text_of(wrong)
    )


def test_the_principles_block_lists_principles_in_order(app, org, editor):
    create_principle(org=org, user=editor, title="Secure by design", position=2)
    create_principle(org=org, user=editor, title="Cloud smart", position=1)
    plan = create_plan(org=org, owner=editor)
    with app.test_request_context():
        text = text_of(render_plan_markdown(plan, "```planwright principles\n```"))
    assert text.index("1. Cloud smart") < text.index("2. Secure by design")


def test_intake_highlights_exceptions_in_words_and_lists_unanswered(app, org, editor, initiative):
    service = create_service(org=org, user=editor)
    tie(initiative, service, user=editor)
    cloud = create_principle(org=org, user=editor, title="Cloud smart", position=1)
    create_principle(org=org, user=editor, title="Open standards", position=2)
    services.answer_principle(
        initiative, user=editor, principle=cloud, answer="exception", justification="Data must stay on premises."
    )
    db.session.commit()
    with counted_statements() as statements:
        context = intake_context(initiative.id)
    assert len(statements) <= 5
    with app.test_request_context():
        text = text_of(render_template("architecture/_intake.html", **context))
    assert "1 exception to architecture principles for the board to consider: Cloud smart." in text
    assert "Unanswered principles (1): Open standards." in text
    assert "Reuses: Identity Hub." in text
    assert "Exception Data must stay on premises." in text
    assert intake_context(10**6) == {"architecture": None}
