"""Live workforce blocks in a plan section, their error messages, and statement counts that do not grow."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.plans import services as plan_services
from tests.factories import create_plan
from tests.plans.html import main_content, parse, squash
from tests.sql import statements_for
from tests.workforce.conftest import Office, make_office


def section_with(office: Office, body: str) -> str:
    """The URL of a section of a new plan (FY2027–FY2030) whose text is ``body``."""
    plan = create_plan(org=office.org, owner=office.editor)
    section = plan.sections[0]
    plan_services.save_section(
        section, user=office.editor, title=section.title, body=body, base_version=section.version, ready=False
    )
    db.session.commit()
    return f"/plans/{plan.id}/sections/{section.id}"


def test_the_capacity_block_shows_the_shortfall_and_its_initiatives(signed_in, office: Office):
    url = section_with(office, "```planwright capacity fy=2028\n```")
    html = signed_in(office.viewer).get(url).get_data(as_text=True)
    block = parse(html).find("div", **{"data-block": "capacity"})
    text = squash(block.text)
    assert "1 role short of people in FY2028: Cybersecurity analyst (by 1 FTE)" in text
    assert "INI-0001 Zero Trust phase 1: 4 FTE" in text
    assert '<svg role="img"' in html


def test_the_workforce_block_shows_capacity_by_year_and_the_gaps(signed_in, office: Office):
    url = section_with(office, "```planwright workforce fy=2028-2029 family=Security priority=high\n```")
    block = parse(signed_in(office.viewer).get(url).get_data(as_text=True)).find("div", **{"data-block": "workforce"})
    text = squash(block.text)
    assert "FY2028" in text and "FY2029" in text and "FY2030" not in text
    assert "Cybersecurity analyst" in text and "short 1" in text
    assert "Zero trust" in text and "1 – Awareness" in text and "3 – Practitioner" in text


@pytest.mark.parametrize(
    ("info", "message"),
    [
        ("planwright capacity fy=next", "Write the fiscal year as a number such as fy=2028; “next” is not one."),
        ("planwright capacity year=2028", "The capacity block has no option “year”. It takes: fy."),
        ("planwright workforce fy=2030-2027", "Put the earlier year first, for example fy=2027-2030."),
        ("planwright workforce fy=2027-2040", "Show at most 6 fiscal years, for example fy=2027-2032."),
        ("planwright workforce family=Finance", "No role is in the family “Finance”. Families: Security"),
        ("planwright workforce priority=urgent", "Unknown priority “urgent”. Use one or more of: high, medium, low."),
        ("planwright capacty", "Did you mean “capacity”?"),
    ],
)
def test_block_errors_say_how_to_fix_them(signed_in, office: Office, info: str, message: str):
    url = section_with(office, f"```{info}\n```")
    text = squash(main_content(signed_in(office.viewer).get(url).get_data(as_text=True)).text)
    assert "This live block cannot be shown." in text and message in text


def pages(office: Office) -> list[str]:
    plan_url = section_with(office, "```planwright workforce\n```\n\n```planwright capacity fy=2028\n```")
    return [
        "/workforce",
        f"/workforce/roles/{office.role.id}",
        "/workforce/skills",
        "/workforce/actions",
        "/workforce/capacity?fy=2028",
        f"/initiatives/{office.initiative.id}",
        f"/initiatives/{office.initiative.id}/fte-needs",
        "/workforce/roles/export.csv",
        plan_url,
    ]


def test_every_workforce_page_runs_the_same_statements_for_small_and_large_data(signed_in):
    small = make_office(name="Small office", roles=1, initiatives=1)
    large = make_office(name="Large office", roles=12, initiatives=15)
    small_client, large_client = signed_in(small.editor), signed_in(large.editor)
    for small_url, large_url in zip(pages(small), pages(large), strict=True):
        small_count = len(statements_for(small_client, small_url))
        large_statements = statements_for(large_client, large_url)
        assert len(large_statements) == small_count, large_url + "\n\n" + "\n\n".join(large_statements)
