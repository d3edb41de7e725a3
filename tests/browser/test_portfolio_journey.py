"""An editor ties a new initiative to a new objective and sees it in the plan, in Chromium.

Journey from the portfolio issue: create an objective → create an initiative linked to it →
see it in the traceability matrix and on the roadmap block of the action-plan section.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import BROWSER_TEST

pytestmark = BROWSER_TEST


def test_new_initiative_linked_to_new_objective_shows_in_matrix_and_roadmap(editor_page) -> None:  # type: ignore[no-untyped-def]
    page = editor_page
    page.goto("/objectives/new")
    page.get_by_label("Code").fill("G6")
    page.get_by_label("Title").fill("Open and reusable government data")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("G6")
    page.get_by_role("link", name="Add an objective under G6").click()
    page.get_by_label("Code").fill("G6.1")
    page.get_by_label("Title").fill("Publish the fifty most requested data sets")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("G6.1")

    page.goto("/initiatives/new")
    page.get_by_label("Code").fill("INI-0100")
    page.get_by_label("Title").fill("Open data portal relaunch")
    transform = page.get_by_role("radio", name=re.compile(r"^Transform"))
    page.locator(f"label[for='{transform.get_attribute('id')}']").click()  # USWDS radios are styled labels
    expect(transform).to_be_checked()
    page.get_by_label("Owner").fill("Chief Data Officer")
    page.get_by_label("Start date").fill("2026-10-01")
    page.get_by_label("End date").fill("2028-06-30")
    page.get_by_role("button", name="Add initiative").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("INI-0100")
    page.get_by_text("Link an objective").click()
    link_form = page.locator("form", has=page.get_by_role("button", name="Link objective"))
    select = link_form.get_by_label("Objective", exact=True)
    option = select.locator("option", has_text="G6.1").first
    select.select_option(value=option.get_attribute("value"))
    link_form.get_by_role("button", name="Link objective").click()
    expect(page.locator("main")).to_contain_text("G6.1")

    page.goto("/plans")
    page.get_by_role("link", name=re.compile("Digital State")).click()
    page.get_by_role("link", name="Traceability matrix").click()
    page.get_by_role("link", name=re.compile(r"^G6\b")).first.click()
    matrix = page.locator("main table").filter(has_text="INI-0100")
    expect(matrix.first).to_be_visible()
    expect(matrix.first).to_contain_text("G6.1")

    page.goto("/plans")
    page.get_by_role("link", name=re.compile("Digital State")).click()
    page.get_by_role("link", name="Action plan and roadmap", exact=True).click()
    roadmap = page.locator("svg[role=img]").first
    expect(roadmap).to_contain_text("INI-0100")
    expect(page.locator("main table").filter(has_text="Open data portal relaunch").first).to_be_visible()
    assert page.problems == []  # type: ignore[attr-defined]
