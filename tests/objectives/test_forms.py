"""Invalid input comes back with what was typed, a 422, and messages that say what to do."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.objectives.forms import parse_decimal
from app.objectives.models import Kpi, KpiMeasurement, PolicyObjective
from tests.objectives.helpers import kpi_form, make_kpi, make_objective, objective_form
from tests.plans.html import Element, parse, squash, textarea_value

SUMMARY = "usa-alert usa-alert--error margin-y-3"


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def refused(response) -> Element:  # type: ignore[no-untyped-def]
    """The page of a refused submission, after checking its status and that its error links lead to fields."""
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    summary = page.find("div", class_=SUMMARY)
    for link in summary.find_all("a"):
        page.by_id(link.attrs["href"].removeprefix("#"))
    return page


def messages(page: Element) -> list[str]:
    return [squash(a.text) for a in page.find("div", class_=SUMMARY).find_all("a")]


# --- numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [("1250", "1250"), ("1,250.5", "1250.5"), (" -3.25 ", "-3.25"), ("0.0001", "0.0001"), ("12,345,678", "12345678")],
)
def test_plain_numbers_with_thousands_separators_are_accepted(typed, value):
    assert parse_decimal(typed) == Decimal(value)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("85%", "Enter a number such as 1250 or 1,250.5. Leave out the unit (it is set separately)."),
        ("$1,200", "Leave out the unit"),
        ("1,25", "Enter a number such as 1250 or 1,250.5."),
        ("twelve", "Leave out the unit"),
        ("1.5e3", "Leave out the unit"),
        ("1.23456", "Use at most 4 decimal places."),
        ("100,000,000,000", "Enter a number smaller than 100,000,000,000"),
        ("NaN", "Leave out the unit"),
    ],
)
def test_other_numbers_are_refused_with_what_to_type(typed, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_decimal(typed)


# --- objectives --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "  "}, "Enter a title."),
        ({"code": ""}, "Enter a code, for example G2.1."),
        ({"code": "G 2"}, "Use letters, digits, dots, dashes and underscores only, for example G2.1."),
        ({"active_from": "31/12/2027"}, "Enter the date as year-month-day, for example 2027-06-30."),
        ({"active_to": "2025-06-30"}, "The end of the active period must be on or after its start."),
        ({"policy_source_type": "rumour"}, "Choose one of the policy sources listed."),
    ],
)
def test_invalid_objective_is_shown_again_with_the_typed_text(editor_client, overrides, message):
    before = count(PolicyObjective)
    typed = objective_form(**overrides, description="Kept *description*\nsecond line")
    page = refused(editor_client.post("/objectives/new", data=typed))
    assert message in messages(page)
    assert page.by_id("title").attrs["value"] == typed["title"].strip()
    assert page.by_id("code").attrs["value"] == typed["code"].strip()
    assert textarea_value(page.by_id("description")) == "Kept *description*\nsecond line"
    assert page.by_id("active_from").attrs["value"] == typed["active_from"]
    assert count(PolicyObjective) == before


def test_a_duplicate_code_names_the_objective_that_has_it_and_keeps_the_input(editor_client, org, editor):
    make_objective(org=org, user=editor, code="G2.1", title="Modernise legacy systems")
    page = refused(editor_client.post("/objectives/new", data=objective_form(code="G2.1", title="Cloud first")))
    assert messages(page) == ["Code G2.1 is already used by “Modernise legacy systems”. Choose another code."]
    assert page.by_id("title").attrs["value"] == "Cloud first"
    assert "usa-input--error" in (page.by_id("code").attrs.get("class") or "")


def test_an_invalid_edit_keeps_the_input(editor_client, org, editor):
    goal = make_objective(org=org, user=editor, code="G1", title="Original")
    data = {**objective_form(code="G1", title="Changed title", active_to="2020-01-01"), "version": "1"}
    page = refused(editor_client.post(f"/objectives/{goal.id}/edit", data=data))
    assert page.by_id("title").attrs["value"] == "Changed title"
    assert page.find("title").text.startswith("Error: ")
    assert db.session.get(PolicyObjective, goal.id).title == "Original"


# --- KPIs --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"baseline_value": "85%"}, "baseline_value", "Leave out the unit (it is set separately)."),
        ({"target_value": ""}, "target_value", "Enter the target value, for example 85."),
        ({"target_date": "2024-12-31"}, "target_date", "The target date must be after the baseline date."),
        ({"baseline_date": "soon"}, "baseline_date", "Enter the date as year-month-day, for example 2027-06-30."),
        ({"direction": "sideways"}, "direction", "Choose whether higher or lower values are better."),
        ({"unit": ""}, "unit", "Enter the unit, for example %, days or USD."),
        ({"target_value": "30"}, "target_value", "Higher is better for this KPI, so the target must be at or above"),
    ],
)
def test_invalid_kpi_is_shown_again_with_the_typed_values(editor_client, org, editor, overrides, field, message):
    goal = make_objective(org=org, user=editor, code="G1")
    typed = kpi_form(**overrides)
    page = refused(editor_client.post(f"/objectives/{goal.id}/kpis/new", data=typed))
    assert any(message in m for m in messages(page)), messages(page)
    assert f"#{field}" in [a.attrs["href"] for a in page.find("div", class_=SUMMARY).find_all("a")]
    for kept in ("name", "baseline_value", "target_value", "baseline_date"):
        assert page.by_id(kept).attrs["value"] == typed[kept]
    assert count(Kpi) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"measured_on": "2025-04-01", "value": "85%"}, "Leave out the unit (it is set separately)."),
        ({"measured_on": "", "value": "47"}, "Enter the date the value describes."),
        ({"measured_on": "2024-12-01", "value": "47"}, "The baseline date is 2025-01-01; enter a date on or after it."),
        ({"measured_on": "2099-01-01", "value": "47"}, "A measurement cannot be dated in the future."),
    ],
    ids=["unit typed", "no date", "before the baseline", "in the future"],
)
def test_invalid_measurement_is_shown_on_the_kpi_page_with_the_input(editor_client, org, editor, data, message):
    kpi = make_kpi(objective=make_objective(org=org, user=editor), user=editor)
    page = refused(editor_client.post(f"/kpis/{kpi.id}/measurements", data={**data, "note": "Typed note"}))
    assert any(message in m for m in messages(page)), messages(page)
    assert page.by_id("value").attrs["value"] == data["value"]
    assert page.by_id("note").attrs["value"] == "Typed note"
    assert squash(page.find("h1").text) == kpi.name
    assert count(KpiMeasurement) == 0
