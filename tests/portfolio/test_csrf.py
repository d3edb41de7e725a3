"""Portfolio forms with CSRF protection on, as in production."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.portfolio.models import Initiative
from tests.conftest import FreshContextClient, csrf_token_from, make_config
from tests.factories import PASSWORD
from tests.plans.html import parse
from tests.portfolio.helpers import field_value, fresh, initiative_form
from tests.portfolio.test_access import build_office, methods, plausible_data, portfolio_rules, snapshot, url_for_rule

pytestmark = pytest.mark.csrf


@pytest.fixture(scope="module")
def app(app: Flask, database_url: str) -> Iterator[Flask]:
    """The session app has migrated the database; this one shares it with CSRF protection on."""
    csrf_app = create_app(make_config(database_url, WTF_CSRF_ENABLED=True, EXPORT_DIR=app.config["EXPORT_DIR"]))
    csrf_app.test_client_class = FreshContextClient
    yield csrf_app
    with csrf_app.app_context():
        db.engine.dispose()


@pytest.fixture
def office():  # type: ignore[no-untyped-def]
    return build_office("CSRF")


@pytest.fixture
def editor(app, office):  # type: ignore[no-untyped-def]
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    user = office.users[Role.EDITOR]
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    )
    return client


def test_every_portfolio_post_refuses_a_missing_token_and_changes_nothing(app, office, editor):
    before = snapshot(office.org)
    posts = [rule for rule in portfolio_rules(app) if "POST" in methods(rule)]
    assert len(posts) >= 15
    for rule in posts:
        response = editor.post(url_for_rule(app, rule, office.ids), data=plausible_data(rule.endpoint))
        assert response.status_code == 400, rule.endpoint
    assert snapshot(office.org) == before


def test_the_pages_own_token_lets_a_milestone_be_added(office, editor):
    url = f"/initiatives/{office.ids['initiative_id']}"
    page = parse(editor.get(url).get_data(as_text=True))
    form = next(f for f in page.find_all("form") if f.attrs.get("action") == f"{url}/milestones")
    token = form.find("input", name="milestone-csrf_token").attrs["value"]
    data = {"milestone-csrf_token": token, "milestone-title": "Pilot", "milestone-due_date": "2027-03-01"}
    assert editor.post(f"{url}/milestones", data=data).status_code == 302
    assert "Pilot" in [m.title for m in fresh(Initiative, office.ids["initiative_id"]).milestones]


def test_an_edit_with_an_expired_token_keeps_the_text_and_can_be_saved_again(office, editor):
    url = f"/initiatives/{office.ids['initiative_id']}/edit"
    typed = "A long problem statement, typed over an hour.\n\nSecond paragraph."
    data = initiative_form(code="INI-0001", problem=typed, version="1", csrf_token="expired-token")
    response = editor.post(url, data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_value(html, "problem") == typed
    assert "Your form expired for security reasons" in html
    refusals = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "security.csrf_failed")).all()
    assert f"Expired or missing form token on {url}" in refusals
    resubmit = {**data, "csrf_token": csrf_token_from(html), "version": field_value(html, "version")}
    assert editor.post(url, data=resubmit).status_code == 302
    assert fresh(Initiative, office.ids["initiative_id"]).problem == typed
