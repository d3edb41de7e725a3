"""An editor records a skill gap, states an initiative's FTE need and sees the shortfall, in Chromium.

Journey from the workforce issue: add a role gap → link an initiative's FTE need → see the shortfall in the
capacity view (demo data: Accessibility specialists in FY2029 have 7 FTE available against 5 FTE of demand).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import BROWSER_TEST

pytestmark = BROWSER_TEST


def test_a_new_fte_need_shows_as_a_shortfall_in_the_capacity_view(editor_page) -> None:  # type: ignore[no-untyped-def]
    page = editor_page
    page.get_by_role("link", name="Workforce", exact=True).click()
    roles = page.get_by_role("table", name="Roles")
    roles.get_by_role("link", name="Accessibility specialist", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility specialist")
    page.get_by_text("Add a skill gap").click()
    gap_form = page.locator("form", has=page.get_by_role("button", name="Add skill gap"))
    gap_form.get_by_label("Skill").select_option(label="User research and service design")
    gap_form.get_by_label("Current proficiency").select_option(label="0 – None")
    gap_form.get_by_label("Target proficiency").select_option(label="2 – Working")
    gap_form.get_by_label("Priority").select_option(label="High")
    gap_form.get_by_role("button", name="Add skill gap").click()
    gaps = page.locator("#gaps table")
    expect(gaps).to_contain_text("User research and service design")
    expect(gaps).to_contain_text("0 – None")

    page.goto("/initiatives")
    page.get_by_role("link", name="INI-0002", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("INI-0002")
    page.get_by_text("Add an FTE need").click()
    need_form = page.locator("form", has=page.get_by_role("button", name="Add FTE need"))
    need_form.get_by_label("Role").select_option(label="Accessibility specialist")
    need_form.get_by_label("Fiscal year").fill("2029")
    need_form.get_by_label("FTE needed").fill("6")
    need_form.get_by_role("button", name="Add FTE need").click()
    expect(page.locator("#workforce-needs table")).to_contain_text("Accessibility specialist")

    page.goto("/workforce/capacity")
    page.get_by_label("Fiscal year").select_option(label="FY2029")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Capacity and demand, FY2029")
    row = page.locator("main table tr", has=page.get_by_role("rowheader", name=re.compile("^Accessibility specialist")))
    expect(row).to_contain_text("Short by 4 FTE")
    expect(row).to_contain_text("INI-0002")
    expect(page.get_by_role("status")).to_contain_text("Accessibility specialist (short by 4 FTE)")
    assert page.problems == []  # type: ignore[attr-defined]
