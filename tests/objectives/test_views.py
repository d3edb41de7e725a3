"""Objective and KPI pages as a user sees them: the tree, details, forms, conflicts, deletion and history."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.objectives import services
from app.objectives.models import Kpi, KpiMeasurement, PolicyObjective
from app.objectives.views import shared as views_shared
from app.portfolio.models import Initiative
from tests.factories import create_org, create_user
from tests.objectives.helpers import fresh, kpi_fields, kpi_form, make_kpi, make_objective, measure, objective_form
from tests.plans.html import form_data, main_content, parse, squash


def page_of(response) -> str:  # type: ignore[no-untyped-def]
    return squash(main_content(response.get_data(as_text=True)).text)


def tree_rows(html: str, table_id: str = "objective-tree") -> list[tuple[str, str, str, str]]:
    """(level class, objective, KPI count, KPI status) for each row of the objectives tree."""
    table = main_content(html).by_id(table_id)
    rows = []
    for row in table.find("tbody").find_all("tr"):
        heading = row.find("th")
        cells = [squash(td.text) for td in row.find_all("td")]
        rows.append((heading.attrs.get("class") or "", squash(heading.find("a").text), cells[1], cells[2]))
    return rows


TODAY = date(2026, 2, 1)


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Pages judge staleness and future dates against this day, not the clock."""
    monkeypatch.setattr(views_shared, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def goal(org, editor) -> PolicyObjective:
    return make_objective(org=org, user=editor, code="G1", title="Digital services")


@pytest.fixture
def kpi(goal, editor) -> Kpi:
    return make_kpi(objective=goal, user=editor)


# --- the tree ----------------------------------------------------------------------------------------


def test_list_shows_the_tree_in_natural_code_order_with_indented_levels(editor_client, org, editor, goal):
    child = make_objective(org=org, user=editor, code="G1.1", title="Online permits", parent=goal)
    make_objective(org=org, user=editor, code="G1.1.1", title="Permit payments", parent=child)
    make_objective(org=org, user=editor, code="G10", title="Tenth goal")
    make_objective(org=org, user=editor, code="G2", title="Second goal")
    rows = tree_rows(editor_client.get("/objectives").get_data(as_text=True))
    assert [(level, name) for level, name, _, _ in rows] == [
        ("", "G1 Digital services"),
        ("padding-left-3", "G1.1 Online permits"),
        ("padding-left-6", "G1.1.1 Permit payments"),
        ("", "G2 Second goal"),
        ("", "G10 Tenth goal"),
    ]


def test_list_shows_each_objectives_kpi_count_and_status_in_words(editor_client, org, editor, goal):
    on_track, off_track = make_kpi(objective=goal, user=editor), make_kpi(objective=goal, user=editor, name="Off")
    measure(on_track, user=editor, on=date(2026, 1, 1), value="60")
    measure(off_track, user=editor, on=date(2026, 1, 1), value="41")
    make_kpi(objective=goal, user=editor, name="New one")
    rows = tree_rows(editor_client.get("/objectives").get_data(as_text=True))
    assert rows[0][2] == "3"
    assert "1 off track" in rows[0][3] and "1 on track" in rows[0][3] and "1 no data" in rows[0][3]
    assert rows[0][3].index("off track") < rows[0][3].index("on track"), "worst news first"


def test_an_office_without_a_parent_has_no_published_section(editor_client, goal):
    page = page_of(editor_client.get("/objectives"))
    assert "Published by" not in page and "G1 Digital services" in page


def test_an_agency_sees_its_parents_objectives_read_only(signed_in):
    state = create_org(name="Office of the State CIO")
    agency = create_org(name="Department of Revenue", parent=state)
    state_editor = create_user(org=state)
    published = make_objective(org=state, user=state_editor, code="S1", title="Cloud first")
    measure(make_kpi(objective=published, user=state_editor), user=state_editor, on=date(2026, 1, 1), value="60")
    make_objective(org=agency, user=create_user(org=agency), code="R1", title="Faster refunds")
    client = signed_in(create_user(org=agency, role=Role.EDITOR))
    html = client.get("/objectives").get_data(as_text=True)
    assert [row[1] for row in tree_rows(html)] == ["R1 Faster refunds"]
    assert [row[1:] for row in tree_rows(html, "published-tree")] == [("S1 Cloud first", "1", "1 on track")]
    assert "Published by Office of the State CIO" in page_of(client.get("/objectives"))
    detail = client.get(f"/objectives/{published.id}")
    assert detail.status_code == 200
    assert "only Office of the State CIO can change it" in page_of(detail)
    links = {a.attrs.get("href") for a in main_content(detail.get_data(as_text=True)).find_all("a")}
    assert f"/objectives/{published.id}/edit" not in links and f"/objectives/{published.id}/kpis/new" not in links


# --- creating and showing objectives -----------------------------------------------------------------


def test_adding_a_goal_redirects_to_its_page_with_everything_entered(editor_client, org):
    response = editor_client.post("/objectives/new", data=objective_form())
    assert response.status_code == 302
    assert re.fullmatch(r"/objectives/\d+", response.headers["Location"])
    page = main_content(editor_client.get(response.headers["Location"]).get_data(as_text=True))
    assert squash(page.find("h1").text) == "G4 Services residents can rely on"
    text = squash(page.text)
    for expected in (
        "Governor priority: Governor's Digital Priorities 2025, priority 2",
        "Chief Digital Officer",
        "1 Jul 2025 to 30 Jun 2029",
    ):
        assert expected in text
    assert squash(page.find("strong").text) == "uptime", "the description is rendered as Markdown"


def test_the_description_cannot_inject_markup(editor_client):
    location = editor_client.post(
        "/objectives/new", data=objective_form(description="<script>alert(1)</script> [x](javascript:alert(1))")
    ).headers["Location"]
    html = editor_client.get(location).get_data(as_text=True)
    assert "<script>alert(1)" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, "the text is shown, harmlessly"


def test_adding_an_objective_under_a_goal_makes_it_level_two(editor_client, goal):
    form_page = main_content(editor_client.get(f"/objectives/new?parent_id={goal.id}").get_data(as_text=True))
    assert squash(form_page.find("h1").text) == "Add an objective under G1"
    response = editor_client.post(f"/objectives/new?parent_id={goal.id}", data=objective_form(code="G1.1"))
    child = db.session.scalar(select(PolicyObjective).where(PolicyObjective.code == "G1.1"))
    assert response.status_code == 302 and child.parent_id == goal.id and child.depth == 2
    crumbs = main_content(editor_client.get(f"/objectives/{child.id}").get_data(as_text=True)).find("nav")
    assert [squash(li.text) for li in crumbs.find_all("li")] == ["Objectives", "G1 Digital services", "G1.1"]


def test_a_level_four_objective_offers_no_children_and_refuses_them(editor_client, org, editor, goal):
    parent = goal
    for code in ("G1.1", "G1.1.1", "G1.1.1.1"):
        parent = make_objective(org=org, user=editor, code=code, parent=parent)
    page = main_content(editor_client.get(f"/objectives/{parent.id}").get_data(as_text=True))
    assert f"/objectives/new?parent_id={parent.id}" not in {a.attrs.get("href") for a in page.find_all("a")}
    assert "at the deepest level" in squash(page.text)
    refused = editor_client.get(f"/objectives/new?parent_id={parent.id}", follow_redirects=True)
    assert "G1.1.1.1 is at level 4, the deepest level" in page_of(refused)
    typed = editor_client.post(f"/objectives/new?parent_id={parent.id}", data=objective_form(code="G1.1.1.1.1"))
    assert typed.status_code == 422
    assert "the deepest level objectives can go" in page_of(typed)
    assert parse(typed.get_data(as_text=True)).by_id("title").attrs["value"] == "Services residents can rely on"


def test_a_missing_or_malformed_parent_is_not_found(editor_client):
    assert editor_client.get("/objectives/new?parent_id=999999").status_code == 404
    assert editor_client.get("/objectives/new?parent_id=abc").status_code == 404


# --- editing and conflicts ---------------------------------------------------------------------------


def test_edit_form_is_prefilled_and_saving_redirects_with_the_change_recorded(editor_client, goal):
    form = parse(editor_client.get(f"/objectives/{goal.id}/edit").get_data(as_text=True)).find(
        "form", class_="usa-form usa-form--large"
    )
    data = form_data(form)
    assert (data["code"], data["title"], data["version"]) == ("G1", "Digital services", "1")
    data["title"] = "Digital services for everyone"
    response = editor_client.post(f"/objectives/{goal.id}/edit", data=data)
    assert response.status_code == 302
    assert fresh(PolicyObjective, goal.id).title == "Digital services for everyone"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "objective.update")).one()
    assert '"after":"Digital services for everyone"' in event.changes


def test_a_stale_save_shows_both_versions_keeps_the_input_and_can_be_saved_again(signed_in, org, editor, goal):
    mine, theirs = signed_in(editor), signed_in(create_user(org=org, role=Role.EDITOR))
    my_form = form_data(
        main_content(mine.get(f"/objectives/{goal.id}/edit").get_data(as_text=True)).find("form", method="post")
    )
    their_form = form_data(
        main_content(theirs.get(f"/objectives/{goal.id}/edit").get_data(as_text=True)).find("form", method="post")
    )
    assert theirs.post(f"/objectives/{goal.id}/edit", data={**their_form, "owner": "State CTO"}).status_code == 302
    conflict = mine.post(f"/objectives/{goal.id}/edit", data={**my_form, "title": "My better title"})
    assert conflict.status_code == 409
    page = parse(conflict.get_data(as_text=True))
    assert "Someone else saved this while you were editing" in squash(page.text)
    assert page.by_id("title").attrs["value"] == "My better title"
    differences = [
        [squash(c.text) for c in tr.find_all() if c.tag in ("th", "td")] for tr in page.find("tbody").find_all("tr")
    ]
    assert ["Title", "Digital services", "My better title"] in differences
    assert ["Owner (optional)", "State CTO", "Chief Digital Officer"] in differences
    assert fresh(PolicyObjective, goal.id).title == "Digital services"
    again = form_data(page.by_id("main-content").find("form", method="post"))
    assert mine.post(f"/objectives/{goal.id}/edit", data=again).status_code == 302
    assert fresh(PolicyObjective, goal.id).title == "My better title"


# --- deletion ----------------------------------------------------------------------------------------


def test_deleting_an_objective_with_children_is_refused_with_the_reason(editor_client, org, editor, goal):
    make_objective(org=org, user=editor, code="G1.1", parent=goal)
    response = editor_client.post(f"/objectives/{goal.id}/delete", follow_redirects=True)
    assert "G1 cannot be deleted because it has 1 objective under it (G1.1)" in page_of(response)
    assert fresh(PolicyObjective, goal.id).deleted_at is None


def test_deleting_an_objective_hides_it_everywhere(editor_client, goal):
    response = editor_client.post(f"/objectives/{goal.id}/delete")
    assert response.headers["Location"] == "/objectives"
    assert "Deleted G1 “Digital services”." in page_of(editor_client.get("/objectives"))
    assert 'id="objective-tree"' not in editor_client.get("/objectives").get_data(as_text=True)
    assert editor_client.get(f"/objectives/{goal.id}").status_code == 404


# --- KPIs --------------------------------------------------------------------------------------------


def test_adding_a_kpi_opens_its_page(editor_client, goal):
    response = editor_client.post(
        f"/objectives/{goal.id}/kpis/new", data=kpi_form(baseline_value="1,250.5", target_value="2,000")
    )
    assert response.status_code == 302
    kpi = db.session.scalar(select(Kpi).where(Kpi.objective_id == goal.id))
    assert str(kpi.baseline_value.normalize()) == "1250.5"
    page = page_of(editor_client.get(response.headers["Location"]))
    assert "1,250.5% on 1 Jan 2025" in page and "No data" in page


def test_kpi_page_shows_history_as_a_chart_and_a_table(editor_client, editor, kpi):
    measure(kpi, user=editor, on=date(2025, 4, 1), value="45", note="From the permits system")
    measure(kpi, user=editor, on=date(2025, 7, 1), value="52")
    page = main_content(editor_client.get(f"/kpis/{kpi.id}").get_data(as_text=True))
    svg = page.find("svg")
    assert svg.attrs["role"] == "img"
    assert squash(svg.find("title").text) == "Share of permits applied for online, measurements over time"
    assert "2 measurements from 1 Apr 2025 to 1 Jul 2025; latest 52%" in svg.find("desc").text
    assert len(svg.find_all("circle")) == 2
    table = page.find("table")
    assert "newest first" in squash(table.find("caption").text)
    rows = [
        [squash(c.text) for c in tr.find_all() if c.tag in ("th", "td")] for tr in table.find("tbody").find_all("tr")
    ]
    assert [row[:3] for row in rows] == [["1 Jul 2025", "52%", "—"], ["1 Apr 2025", "45%", "From the permits system"]]
    assert all(row[3].startswith("Erin Editor") for row in rows)


def test_kpi_page_explains_its_status_in_plain_language(editor_client, editor, kpi):
    measure(kpi, user=editor, on=date(2026, 1, 1), value="52")  # 30% progress, 50% of the time gone
    page = page_of(editor_client.get(f"/kpis/{kpi.id}"))
    assert "At risk" in page
    assert "progress is 30% and time elapsed is 50% at the latest measurement, so it is at risk" in page
    assert "On track: the target is already met, or progress is at most 10 percentage points behind" in page


def test_a_kpi_without_recent_measurements_is_marked_stale(editor_client, editor, kpi):
    measure(kpi, user=editor, on=date(2025, 2, 1), value="45")
    page = page_of(editor_client.get(f"/kpis/{kpi.id}"))
    assert "Stale" in page and "It is measured quarterly, and nothing has been recorded for longer than that" in page


def test_adding_a_measurement_shows_it_in_the_history(editor_client, editor, kpi):
    response = editor_client.post(
        f"/kpis/{kpi.id}/measurements", data={"measured_on": "2025-04-01", "value": "1,047.5", "note": "Q1 report"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kpis/{kpi.id}#history")
    page = page_of(editor_client.get(f"/kpis/{kpi.id}"))
    assert "Recorded 1,047.5% for 1 Apr 2025." in page and "Q1 report" in page
    saved = db.session.scalars(select(KpiMeasurement).where(KpiMeasurement.kpi_id == kpi.id)).one()
    assert saved.entered_by_id == editor.id


def test_a_second_measurement_on_the_same_date_is_refused_keeping_the_input(editor_client, editor, kpi):
    measure(kpi, user=editor, on=date(2025, 4, 1), value="45")
    response = editor_client.post(
        f"/kpis/{kpi.id}/measurements", data={"measured_on": "2025-04-01", "value": "47", "note": "Corrected figure"}
    )
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    summary = page.find("div", class_="usa-alert usa-alert--error margin-y-3")
    assert "There is already a measurement for 2025-04-01 (value 45%)" in squash(summary.text)
    assert page.by_id("value").attrs["value"] == "47" and page.by_id("note").attrs["value"] == "Corrected figure"
    assert squash(page.find("table").find("tbody").find("td").text) == "45%", "the refused value is not in the history"


def test_editing_a_kpi_saves_and_returns_to_its_page(editor_client, kpi):
    data = form_data(
        main_content(editor_client.get(f"/kpis/{kpi.id}/edit").get_data(as_text=True)).find("form", method="post")
    )
    assert (data["baseline_value"], data["target_value"], data["direction"]) == ("40", "80", "higher")
    response = editor_client.post(f"/kpis/{kpi.id}/edit", data={**data, "target_value": "85.5"})
    assert response.status_code == 302 and response.headers["Location"] == f"/kpis/{kpi.id}"
    assert "85.5% by 1 Jan 2027" in page_of(editor_client.get(f"/kpis/{kpi.id}"))


def test_a_stale_kpi_save_is_a_conflict_keeping_the_input(signed_in, org, editor, kpi):
    mine, theirs = signed_in(editor), signed_in(create_user(org=org))
    data = form_data(main_content(mine.get(f"/kpis/{kpi.id}/edit").get_data(as_text=True)).find("form", method="post"))
    assert theirs.post(f"/kpis/{kpi.id}/edit", data={**data, "target_value": "90"}).status_code == 302
    conflict = mine.post(f"/kpis/{kpi.id}/edit", data={**data, "target_value": "85"})
    assert conflict.status_code == 409
    page = parse(conflict.get_data(as_text=True))
    assert page.by_id("target_value").attrs["value"] == "85"
    assert ["Target value", "90", "85"] in [
        [squash(c.text) for c in tr.find_all() if c.tag in ("th", "td")] for tr in page.find("tbody").find_all("tr")
    ]


def test_deleting_a_kpi_returns_to_its_objective_and_hides_it(editor_client, goal, kpi):
    response = editor_client.post(f"/kpis/{kpi.id}/delete")
    assert response.headers["Location"] == f"/objectives/{goal.id}"
    assert editor_client.get(f"/kpis/{kpi.id}").status_code == 404
    assert "No KPIs measure this goal yet." in page_of(editor_client.get(f"/objectives/{goal.id}"))


def test_objective_page_lists_its_kpis_with_status_and_its_children(editor_client, org, editor, goal, kpi):
    measure(kpi, user=editor, on=date(2026, 1, 1), value="60")
    child = make_objective(org=org, user=editor, code="G1.1", title="Online permits", parent=goal)
    make_kpi(objective=child, user=editor)
    page = main_content(editor_client.get(f"/objectives/{goal.id}").get_data(as_text=True))
    kpi_table, children_table = page.find_all("table")
    row = [squash(c.text) for c in kpi_table.find("tbody").find_all() if c.tag in ("th", "td")]
    assert row == [
        "Share of permits applied for online",
        "40% 1 Jan 2025",
        "60% 1 Jan 2026",
        "80% by 1 Jan 2027",
        "On track",
    ]
    child_row = [squash(c.text) for c in children_table.find("tbody").find_all() if c.tag in ("th", "td")]
    assert child_row == ["G1.1 Online permits", "Chief Digital Officer", "1"]


def test_a_kpi_on_an_initiative_has_its_own_page_leading_back_to_the_initiative(editor_client, org, editor):
    initiative = Initiative(organization_id=org.id, code="INI-0042", title="Online permits platform")
    db.session.add(initiative)
    db.session.commit()
    kpi = services.create_kpi(organization=org, user=editor, initiative=initiative, fields=kpi_fields())
    db.session.commit()
    page = main_content(editor_client.get(f"/kpis/{kpi.id}").get_data(as_text=True))
    crumbs = [squash(li.text) for li in page.find("nav").find_all("li")]
    assert crumbs[-2:] == ["INI-0042 Online permits platform", "Share of permits applied for online"]
    response = editor_client.post(f"/kpis/{kpi.id}/delete")
    assert response.status_code == 302 and editor_client.get(f"/kpis/{kpi.id}").status_code == 404


def test_a_kpi_of_a_deleted_initiative_is_not_found(editor_client, org, editor):
    initiative = Initiative(organization_id=org.id, code="INI-0043", title="Retired platform")
    db.session.add(initiative)
    db.session.commit()
    kpi = services.create_kpi(organization=org, user=editor, initiative=initiative, fields=kpi_fields())
    initiative.deleted_at = initiative.created_at
    db.session.commit()
    assert editor_client.get(f"/kpis/{kpi.id}").status_code == 404
