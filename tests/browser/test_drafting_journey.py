"""A person drafting a plan in a real browser: Debian's Chromium driven by Playwright.

The app runs in a thread on 127.0.0.1 with its own migrated and seeded SQLite file.
Skipped, with the reason, only when /usr/bin/chromium is absent (CI installs it).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_USERS
from tests.browser.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed: apt-get install chromium"),
]


def _editor():  # type: ignore[no-untyped-def]
    return next(u for u in DEMO_USERS if u.role == "editor")


def test_editor_creates_plan_writes_section_and_finds_it_in_history(page) -> None:  # type: ignore[no-untyped-def]
    editor = _editor()
    page.goto("/plans")
    assert "/login" in page.url
    page.get_by_label("Email address", exact=True).fill(editor.email)
    page.get_by_label("Password").fill(editor.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plans of Demo State Office of the CIO")

    page.get_by_role("link", name="Start a new plan").click()
    page.get_by_label("Plan title").fill("Browser Test Plan FY2028")
    page.get_by_label("First fiscal year").fill("2028")
    page.get_by_label("Last fiscal year").fill("2031")
    page.get_by_text("Compact five-section plan", exact=False).first.click()
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser Test Plan FY2028")
    expect(page.get_by_role("status").first).to_contain_text("Created")

    page.get_by_role("link", name="Edit Vision and priorities").click()
    body = page.get_by_label("Text (Markdown)")
    body.fill("### Our promise\n\nEvery resident finishes their task online **the first time**.")
    # JavaScript enhancement: the live preview renders the Markdown without saving.
    page.locator(".pw-preview-body h3").filter(has_text="Our promise").wait_for(timeout=5000)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vision and priorities")
    expect(page.locator(".pw-section-body")).to_contain_text("the first time")

    page.get_by_role("link", name="History").click()
    newest = page.locator("tbody tr").first
    expect(newest).to_contain_text("2 (current)")
    expect(newest).to_contain_text("Elena Editor")
    page.get_by_role("button", name="Compare selected revisions").click()
    page.wait_for_url("**/compare?**")
    added = " ".join(page.locator(".pw-diff ins").all_inner_texts())
    assert "Every resident finishes their task online" in " ".join(added.split())
    assert page.problems == []  # type: ignore[attr-defined]


def test_keyboard_user_can_skip_to_content_and_sign_in(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    editor = _editor()
    page.goto("/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(editor.email)
    page.keyboard.press("Tab")
    page.keyboard.type(editor.password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/plans")
    assert page.problems == []  # type: ignore[attr-defined]


def test_timeout_warning_appears_before_idle_sign_out_and_extends_the_session(page) -> None:  # type: ignore[no-untyped-def]
    editor = _editor()
    page.clock.install()
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(editor.email)
    page.get_by_label("Password").fill(editor.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/plans")
    warning = page.get_by_role("alertdialog", name="You will be signed out soon")
    assert warning.is_hidden()
    page.clock.fast_forward("27:00")
    assert warning.is_hidden()
    page.clock.fast_forward("01:30")  # 28.5 minutes idle: two minutes before the 30-minute timeout
    warning.wait_for(state="visible", timeout=3000)
    with page.expect_response(lambda r: r.url.endswith("/session/keepalive")) as response:
        page.get_by_role("button", name="Stay signed in").click()
    assert response.value.status == 204
    warning.wait_for(state="hidden", timeout=3000)
    assert page.problems == []  # type: ignore[attr-defined]
