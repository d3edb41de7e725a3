"""Objective and KPI forms with CSRF protection on, as in production."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.auth.models import Role
from app.extensions import db
from app.objectives.models import Kpi, KpiMeasurement, PolicyObjective
from tests.conftest import FreshContextClient, csrf_token_from, make_config
from tests.factories import PASSWORD, create_org, create_user
from tests.objectives.helpers import kpi_form, make_kpi, make_objective, objective_form
from tests.plans.html import form_data, main_content

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
def client(app: Flask, editor) -> FreshContextClient:  # type: ignore[no-untyped-def]
    browser = app.test_client()
    token = csrf_token_from(browser.get("/login").get_data(as_text=True))
    assert (
        browser.post("/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": token}).status_code
        == 302
    )
    return browser  # type: ignore[return-value]


@pytest.fixture
def editor():  # type: ignore[no-untyped-def]
    return create_user(org=create_org(), role=Role.EDITOR)


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (PolicyObjective, Kpi, KpiMeasurement)
    )


def test_every_post_without_a_token_is_refused_and_changes_nothing(client, editor):
    goal = make_objective(org=editor.memberships[0].organization, user=editor, code="G1")
    kpi = make_kpi(objective=goal, user=editor)
    posts = {
        "/objectives/new": objective_form(code="G2"),
        f"/objectives/{goal.id}/edit": {**objective_form(code="G1"), "version": "1"},
        f"/objectives/{goal.id}/kpis/new": kpi_form(),
        f"/kpis/{kpi.id}/edit": {**kpi_form(), "version": "1"},
        f"/kpis/{kpi.id}/measurements": {"measured_on": "2025-04-01", "value": "45"},
        f"/kpis/{kpi.id}/delete": {},
        f"/objectives/{goal.id}/delete": {},
    }
    before = counts()
    for path, data in posts.items():
        assert client.post(path, data=data).status_code == 400, path
    db.session.expire_all()
    assert counts() == before
    assert db.session.get(PolicyObjective, goal.id).title == "Objective G1"


def test_an_expired_form_hands_the_typed_text_back(client):
    response = client.post("/objectives/new", data=objective_form(title="A goal typed before lunch"))
    assert response.status_code == 400
    assert "A goal typed before lunch" in response.get_data(as_text=True)


def test_every_form_on_the_kpi_page_carries_its_token(client, editor):
    kpi = make_kpi(objective=make_objective(org=editor.memberships[0].organization, user=editor), user=editor)
    page = main_content(client.get(f"/kpis/{kpi.id}").get_data(as_text=True))
    forms = page.find_all("form", method="post")
    assert {f.attrs["action"] for f in forms} == {f"/kpis/{kpi.id}/measurements", f"/kpis/{kpi.id}/delete"}
    assert all(form_data(f).get("csrf_token") for f in forms)


def test_forms_carry_a_token_and_are_accepted_with_it(client, editor):
    page = client.get("/objectives/new").get_data(as_text=True)
    response = client.post("/objectives/new", data={**objective_form(), "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    kpi_page = client.get(f"{response.headers['Location']}/kpis/new").get_data(as_text=True)
    created = client.post(
        f"{response.headers['Location']}/kpis/new", data={**kpi_form(), "csrf_token": csrf_token_from(kpi_page)}
    )
    assert created.status_code == 302
    shown = client.get(created.headers["Location"]).get_data(as_text=True)
    measured = client.post(
        f"{created.headers['Location']}/measurements",
        data={"measured_on": date(2025, 4, 1).isoformat(), "value": "45", "csrf_token": csrf_token_from(shown)},
    )
    assert measured.status_code == 302
