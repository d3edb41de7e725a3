import re

import pytest

from app.auth.models import Role
from app.extensions import db
from app.plans.models import Plan
from app.plans.templates import get_template
from config import BASE_DIR
from tests.factories import create_user
from tests.plans.html import main_content, parse, squash

COMPACT = get_template(str(BASE_DIR / "plans"), "compact-five-section")


def new_plan_form(**overrides: str) -> dict[str, str]:
    return {
        "title": "Digital County 2027–2030",
        "template": "compact-five-section",
        "first_fiscal_year": "2027",
        "last_fiscal_year": "2030",
        **overrides,
    }


def plan_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Plan))


def overview_rows(html: str) -> list[list[str]]:
    table = main_content(html).find("table", class_="usa-table usa-table--borderless width-full pw-sections")
    return [
        [squash(cell.text) for cell in row.find_all() if cell.tag in ("td", "th")]
        for row in table.find("tbody").find_all("tr")
    ]


def test_creating_a_plan_redirects_to_its_overview(editor_client):
    response = editor_client.post("/plans/new", data=new_plan_form())
    assert response.status_code == 302
    assert re.fullmatch(r"/plans/\d+", response.headers["Location"])


def test_overview_lists_template_sections_in_order_with_starter_text(editor_client):
    response = editor_client.post("/plans/new", data=new_plan_form(), follow_redirects=True)
    rows = overview_rows(response.get_data(as_text=True))
    assert [row[1] for row in rows] == [s.title for s in COMPACT.sections]
    assert all(row[2] == "Drafting" and int(row[3]) > 10 for row in rows), "starter text should be in every section"


def test_new_section_page_shows_the_template_starter_text(editor_client):
    overview = editor_client.post("/plans/new", data=new_plan_form(), follow_redirects=True)
    first_link = main_content(overview.get_data(as_text=True)).find("table").find("tbody").find("a")
    page = main_content(editor_client.get(first_link.attrs["href"]).get_data(as_text=True))
    assert page.find("h1").text.strip() == "Vision and priorities"
    assert [squash(h.text) for h in page.find_all("h3")][:2] == ["Vision", "Where we are today"]


def test_plan_period_is_shown_as_fiscal_years(editor_client):
    overview = editor_client.post("/plans/new", data=new_plan_form(), follow_redirects=True)
    assert "FY2027–FY2030" in squash(main_content(overview.get_data(as_text=True)).text)
    listing = editor_client.get("/plans").get_data(as_text=True)
    assert "FY2027–FY2030" in squash(main_content(listing).text)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"first_fiscal_year": "2030", "last_fiscal_year": "2027"},
            "The last fiscal year must be the same as or after the first fiscal year.",
            id="last-before-first",
        ),
        pytest.param({"title": "   "}, "Enter a title for the plan.", id="missing-title"),
        pytest.param({"template": "no-such-template"}, "Choose one of the templates listed.", id="unknown-template"),
        pytest.param({"template": ""}, "Choose a template to start from.", id="no-template"),
        pytest.param({"first_fiscal_year": "next year"}, "Enter a year between 2000 and 2100.", id="year-not-a-number"),
    ],
)
def test_invalid_new_plan_is_shown_again_with_what_to_do(editor_client, overrides, message):
    before = plan_count()
    response = editor_client.post("/plans/new", data=new_plan_form(**overrides))
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    summary = page.find("div", class_="usa-alert usa-alert--error margin-y-3")
    assert message in [squash(a.text) for a in summary.find_all("a")]
    assert plan_count() == before


def test_invalid_new_plan_keeps_the_typed_title(editor_client):
    response = editor_client.post(
        "/plans/new", data=new_plan_form(title="Connected County <2027>", last_fiscal_year="2020")
    )
    assert response.status_code == 422
    assert parse(response.get_data(as_text=True)).by_id("title").attrs["value"] == "Connected County <2027>"


def test_invalid_new_plan_keeps_the_chosen_template_selected(editor_client):
    response = editor_client.post("/plans/new", data=new_plan_form(title=""))
    radio = parse(response.get_data(as_text=True)).by_id("template-compact-five-section")
    assert "checked" in radio.attrs


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_only_editors_may_start_a_plan(signed_in, org, role):
    client = signed_in(create_user(org=org, role=role))
    before = plan_count()
    assert client.get("/plans/new").status_code == 403
    assert client.post("/plans/new", data=new_plan_form()).status_code == 403
    assert plan_count() == before


def test_viewer_sees_no_start_button_on_the_plan_list(signed_in, org):
    client = signed_in(create_user(org=org, role=Role.VIEWER))
    page = main_content(client.get("/plans").get_data(as_text=True))
    assert "/plans/new" not in [a.attrs.get("href") for a in page.find_all("a")]


def test_new_plan_page_offers_every_template_with_its_section_count(editor_client):
    page = main_content(editor_client.get("/plans/new").get_data(as_text=True))
    values = {radio.attrs["value"] for radio in page.find_all("input", type="radio")}
    assert values >= {"us-state-customer-centric", "ict-digital-strategy", "compact-five-section"}
    assert "(14 sections)" in squash(page.text)
