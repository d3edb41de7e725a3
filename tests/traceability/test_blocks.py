"""Live blocks in section Markdown: every block renders current data; mistakes show a helpful error box."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from app.extensions import db
from app.plans.models import PlanSection
from app.portfolio.models import ObjectiveLink
from tests.plans.helpers import save, section_url, sections_of
from tests.plans.html import Element, main_content, parse, squash
from tests.sql import counted_statements
from tests.traceability import builders as b
from tests.traceability.html import grid, seen
from tests.traceability.world import build_portfolio

SVG = ""  # inline SVG in HTML needs no namespace


def fence(info: str) -> str:
    return f"Intro text.\n\n```{info}\n```\n\nClosing text."


def shown(client, section: PlanSection, body: str) -> Element:  # type: ignore[no-untyped-def]
    """Save ``body`` and return the rendered section text as the section page shows it."""
    assert save(client, section, body=body).status_code == 302
    page = main_content(client.get(section_url(section)).get_data(as_text=True))
    return page.find("div", class_="usa-prose pw-section-body")


@pytest.fixture
def section(plan) -> PlanSection:  # type: ignore[no-untyped-def]
    return sections_of(plan)[0]


@pytest.fixture
def world(org, editor):  # type: ignore[no-untyped-def]
    world = build_portfolio(org)
    b.cost(world.initiatives["INI-1"], 2027, "1500000.00", "250000.50")
    b.milestone(world.initiatives["INI-1"], "Beta launch", date(2027, 6, 1), done=date(2027, 5, 20))
    b.milestone(world.initiatives["INI-1"], "Go live", date(2027, 12, 1))
    measure = b.kpi(org, objective=world.objectives["G1.1"], name="Permits applied for online")
    b.measurement(measure, date(2026, 10, 1), "35", by=editor)
    return world


def block_of(body: Element, name: str) -> Element:
    return body.find("div", data_block=name)


def test_objectives_block_lists_objectives_with_their_kpis_and_status(editor_client, section, world):
    body = shown(editor_client, section, fence("planwright objectives"))
    block = block_of(body, "objectives")
    rows = grid(block.find("table"), seen)
    assert rows[0] == ["Objective", "KPI", "Baseline", "Latest", "Target", "Status"]
    assert rows[2][:3] == ["G1.1 One front door for permits", "Permits applied for online", "20 %"]
    assert rows[2][3].startswith("35 %")
    assert rows[2][5] in {"On track", "At risk", "Off track", "On track Stale", "At risk Stale", "Off track Stale"}
    assert rows[1][1] == "No KPI yet"
    assert squash(body.text).startswith("Intro text.") and squash(body.text).endswith("Closing text.")


def test_objectives_block_can_show_one_goal_or_one_branch(editor_client, section, world):
    block = block_of(shown(editor_client, section, fence("planwright objectives objective=G2")), "objectives")
    assert [squash(c.text) for c in block.find_all("caption")] == [
        "Goal G2 Secure foundations: objectives and their KPIs"
    ]
    block = block_of(shown(editor_client, section, fence("planwright objectives objective=G1.2")), "objectives")
    table = block.find("table")
    assert squash(table.find("caption").text) == "Goal G1 Digital services residents can use: objectives and their KPIs"
    assert [row[0] for row in grid(table, seen)[1:]] == [
        "G1.2 Services in every language",
        "G1.2.1 Translate the top 20 forms",
    ]


def test_initiatives_block_filters_by_status_category_and_objective(editor_client, section, world):
    def codes(info: str) -> list[str]:
        table = block_of(shown(editor_client, section, fence(info)), "initiatives").find_all("table")
        return [row[0].split()[0] for row in grid(table[0], seen)[1:]] if table else []

    assert codes("planwright initiatives") == ["INI-1", "INI-2", "INI-3"]
    assert codes("planwright initiatives status=proposed") == ["INI-3"]
    assert codes("planwright initiatives status=approved category=transform,change") == ["INI-1", "INI-2"]
    assert codes("planwright initiatives objective=G1.2") == ["INI-2"]
    assert codes("planwright initiatives objective=g2 status=in-progress") == []


def test_budget_block_shows_the_budget_by_year_and_category_with_a_chart(editor_client, section, world):
    block = block_of(shown(editor_client, section, fence("planwright budget")), "budget")
    rows = grid(block.find("table"), seen)
    assert rows[0] == ["Fiscal year", "Run", "Change", "Transform", "Capital", "Operating", "Total"]
    assert rows[1] == ["FY2027", "$0.00", "$0.00", "$1,750,000.50", "$1,500,000.00", "$250,000.50", "$1,750,000.50"]
    assert block.find("svg").attrs["role"] == "img"


def test_matrix_and_gaps_blocks(editor_client, section, world):
    body = shown(editor_client, section, "```planwright matrix\n```\n\n```planwright gaps\n```")
    assert len(block_of(body, "matrix").find_all("table")) == 2
    gaps = squash(block_of(body, "gaps").text)
    assert "Initiatives that serve no objective (1)" in gaps and "INI-3 Data centre refresh" in gaps


def test_the_matrix_block_shows_each_goals_first_forty_initiatives_and_links_to_the_rest(
    editor_client, org, plan, section
):
    goal = b.objective(org, "G1", title="Digital services")
    other = b.objective(org, "G2", title="Secure foundations", position=1)
    ids = b.bulk_initiatives(org, 45, prefix="INI")
    b.bulk(ObjectiveLink, [{"initiative_id": i, "objective_id": goal.id, "role": "primary"} for i in ids])
    b.bulk(ObjectiveLink, [{"initiative_id": ids[-1], "objective_id": other.id, "role": "supporting"}])
    db.session.commit()
    block = block_of(shown(editor_client, section, fence("planwright matrix")), "matrix")
    first, second = block.find_all("table")
    assert [cell.split()[0] for cell in grid(first, seen)[0][1:]] == [f"INI-{n:04d}" for n in range(1, 41)]
    assert squash(first.find("caption").text).endswith("initiatives 1–40 of 45")
    assert grid(second, seen) == [["Objective", "INI-0045"], ["G2 Secure foundations", "S"]]
    text = squash(block.text)
    assert "And 5 more initiatives — see the traceability page." in text
    (more,) = [a for a in block.find_all("a") if squash(a.text) == "see the traceability page"]
    assert more.attrs["href"] == f"/plans/{plan.id}/traceability?goal=G1"
    assert block.find_all("nav") == []


def roadmap_svg(page: str) -> ET.Element:
    match = re.search(r"<svg\b.*?</svg>", page, re.S)
    assert match, "no SVG in the page"
    return ET.fromstring(match.group(0))  # noqa: S314 - our own output


def test_roadmap_block_is_an_accessible_svg_gantt_with_a_data_table(editor_client, section, world):
    assert save(editor_client, section, body=fence("planwright roadmap")).status_code == 302
    html = editor_client.get(section_url(section)).get_data(as_text=True)
    svg = roadmap_svg(html)
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None and title.text and "Roadmap of" in title.text
    assert desc is not None and desc.text
    assert svg.get("aria-labelledby") == title.get("id") and svg.get("aria-describedby") == desc.get("id")
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"FY2027", "FY2030", "Q1", "Q4"} <= set(labels)
    assert [label for label in labels if label and label.startswith("INI-")] == [
        "INI-3 Data centre refresh",
        "INI-1 Permit portal",
        "INI-2 Form translation",
    ]
    bars = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 3
    assert len(list(svg.iter(f"{SVG}polygon"))) == 2
    table = block_of(main_content(html), "roadmap").find("table")
    rows = {row[0]: row for row in grid(table, seen)[1:]}
    assert list(rows) == ["INI-3 Data centre refresh", "INI-1 Permit portal", "INI-2 Form translation"]
    permit_portal = rows["INI-1 Permit portal"]
    assert permit_portal[1:5] == ["Transform", "Approved", "FY2027 Q2 (1 Oct 2026)", "FY2028 Q3 (31 Mar 2028)"]
    assert permit_portal[5] == "Beta launch: FY2027 Q4, done 20 May 2027Go live: FY2028 Q2, due 1 Dec 2027"


def test_the_roadmap_block_shows_at_most_two_hundred_initiatives_read_with_a_limit(editor_client, org, section):
    b.bulk_initiatives(org, 205, prefix="INI")
    db.session.commit()
    assert save(editor_client, section, body=fence("planwright roadmap")).status_code == 302
    with counted_statements() as statements:
        html = editor_client.get(section_url(section)).get_data(as_text=True)
    block = block_of(main_content(html), "roadmap")
    rows = grid(block.find("table"), seen)[1:]
    assert len(rows) == 200 and rows[0][0] == "INI-0001 Initiative INI-0001"
    assert "Only the first 200 initiatives are shown." in squash(block.text)
    (read,) = [s for s in statements if "FROM initiative" in s and "start_date" in s.split("FROM")[0]]
    assert "LIMIT" in read


def test_roadmap_svg_uses_no_inline_styles(editor_client, section, world):
    assert save(editor_client, section, body=fence("planwright roadmap")).status_code == 302
    svg = roadmap_svg(editor_client.get(section_url(section)).get_data(as_text=True))
    assert not [el.tag for el in svg.iter() if "style" in el.attrib or el.tag == f"{SVG}style"]
    assert {el.tag.removeprefix(SVG) for el in svg.iter()} <= {
        "svg",
        "title",
        "desc",
        "g",
        "rect",
        "text",
        "line",
        "polygon",
    }


@pytest.mark.parametrize(
    ("info", "message"),
    [
        (
            "planwright roadmapp",
            "Unknown block 'roadmapp'. Available: objectives, initiatives, roadmap, budget, matrix, gaps, "
            "services, principles, workforce, capacity. "
            "Did you mean “roadmap”?",
        ),
        ("planwright", "Name the block after “planwright”, for example “planwright roadmap”."),
        ("planwright budget year=2027", "The budget block has no option “year”. It takes no options."),
        (
            "planwright initiatives owner=me",
            "The initiatives block has no option “owner”. It takes: status, category, objective.",
        ),
        (
            "planwright initiatives status=finished",
            "Unknown status “finished”. Use one or more of: proposed, submitted",
        ),
        (
            "planwright roadmap category=innovate",
            "Unknown category “innovate”. Use one or more of: run, change, transform.",
        ),
        ("planwright roadmap objective=G9", "No objective with code “G9” in this plan."),
        (
            "planwright initiatives approved",
            "Write options as key=value, for example status=approved; “approved” is not.",
        ),
        ("planwright initiatives status=approved status=proposed", "The option “status” is given twice"),
    ],
)
def test_mistakes_show_a_helpful_error_box_instead_of_the_block(editor_client, section, world, info, message):
    body = shown(editor_client, section, fence(info))
    box = body.find("div", class_="usa-alert usa-alert--error usa-alert--slim margin-y-2 pw-block-error")
    assert message in squash(box.text)
    assert f"```{info}" in squash(box.text)
    assert squash(body.text).endswith("Closing text.")


def test_ordinary_code_fences_stay_code(editor_client, section, world):
    body = shown(editor_client, section, "```python\nprint('planwright roadmap')\n```")
    assert body.find("code").text == "print('planwright roadmap')\n"
    assert body.find_all("div") == []


@pytest.mark.parametrize(
    "info",
    [
        "planwright initiatives status=<script>alert(1)</script>",
        'planwright initiatives objective="><img/src=x/onerror=alert(1)>',
        "planwright <svg/onload=alert(1)>",
        "planwright roadmap category=<b>run</b>",
    ],
)
def test_options_cannot_smuggle_html(editor_client, section, world, info):
    from tests.plans.xss import executable_markup

    assert save(editor_client, section, body=fence(info)).status_code == 302
    html = editor_client.get(section_url(section)).get_data(as_text=True)
    body_html = html[html.index("pw-section-body") :]
    assert executable_markup(body_html) == []
    assert "<script>" not in body_html and "<b>run</b>" not in body_html
    box = main_content(html).find("div", class_="usa-alert usa-alert--error usa-alert--slim margin-y-2 pw-block-error")
    assert info.removeprefix("planwright ").split()[0].split("=")[-1][:8] in box.text


def test_a_typed_placeholder_lookalike_is_just_text(editor_client, section, world):
    body = shown(editor_client, section, "pwblock0000000000000000n0\n\n```planwright budget\n```")
    assert squash(body.find("p").text) == "pwblock0000000000000000n0"
    assert block_of(body, "budget")


def test_preview_button_renders_blocks_without_saving(editor_client, section, world):
    response = save(
        editor_client, section, body=fence("planwright roadmap") + "\n\n" + "```planwright nope\n```", preview="1"
    )
    assert response.status_code == 200
    preview = main_content(response.get_data(as_text=True)).find("div", class_="usa-prose pw-preview-body")
    assert block_of(preview, "roadmap").find("svg")
    assert "Unknown block 'nope'" in squash(preview.text)
    db.session.expire_all()
    assert "planwright" not in db.session.get(PlanSection, section.id).body


def test_preview_endpoint_renders_blocks(editor_client, section, world):
    response = editor_client.post(section_url(section, "/preview"), data={"body": fence("planwright matrix")})
    assert response.status_code == 200
    fragment = parse(response.get_data(as_text=True))
    assert len(block_of(fragment, "matrix").find_all("table")) == 2


def test_blocks_show_current_data_each_time_the_page_is_read(editor_client, org, section, world):
    body = shown(editor_client, section, fence("planwright initiatives"))
    assert "INI-4" not in squash(body.text)
    b.initiative(org, "INI-4", title="Chatbot pilot")
    page = main_content(editor_client.get(section_url(section)).get_data(as_text=True))
    assert "INI-4 Chatbot pilot" in squash(page.text)


def test_blocks_follow_the_plans_scope(editor_client, section, world, plan):
    editor_client.post(f"/plans/{plan.id}/scope", data={"initiatives": [str(world.initiatives["INI-2"].id)]})
    block = block_of(shown(editor_client, section, fence("planwright initiatives")), "initiatives")
    assert [row[0] for row in grid(block.find("table"), seen)[1:]] == ["INI-2 Form translation"]


def test_a_block_in_an_empty_plan_says_there_is_nothing_yet(editor_client, section):
    body = shown(editor_client, section, "```planwright roadmap\n```\n```planwright initiatives\n```")
    text = squash(body.text)
    assert "No initiatives in this plan have start and end dates within FY2027–FY2030." in text
    assert "No initiatives in this plan match." in text
