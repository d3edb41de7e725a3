"""Keyboard only, in Chromium: signing in, drafting a section, scoring a review and downloading the plan PDF.

No mouse event and no programmatic focus: every control is reached by pressing Tab (or Shift+Tab) until it has
the focus, and used with Enter, Space, the arrow keys and typing, as a person without a mouse does. Each
element that receives the focus on the way must show a visible focus indicator (an outline or a box shadow on
the element, or, for a radio button or checkbox drawn by its label, on that label), and a Tab search that does
not reach its target within a bound fails naming what it looked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from app.demo.governance import DEMO_BOARD_USERS
from app.demo.seed import DEMO_USERS, STATE_SLUG
from app.extensions import db
from tests.browser.a11y import blocking
from tests.browser.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed: apt-get install chromium"),
]

PLAN_TITLE = "Digital State 2027–2030: IT Strategic Plan"
TAB_LIMIT = 250
RENDER_TIMEOUT_MS = 180_000  # the PDF is rendered in the request (tests only) on a shared 2-core machine

# The focused element, whether it matches what we look for, and whether its focus can be seen.
_FOCUS = """([selector, name]) => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) { return null; }
    const text = (node) => (node.getAttribute('aria-label') || node.textContent || '').replace(/\\s+/g, ' ').trim();
    const shows = (style) => (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
        || (style.boxShadow && style.boxShadow !== 'none');
    const box = el.getBoundingClientRect();
    // Not moved off to the left or shrunk to a point, as visually hidden inputs are (the skip link slides
    // down from above the page when focused, so its vertical position is no sign).
    const onScreen = box.width > 1 && box.height > 1 && box.right > 0;
    let indicator = onScreen && shows(getComputedStyle(el));
    if (!indicator && el.labels) {  // radio buttons and checkboxes drawn by their label
        for (const label of el.labels) {
            indicator = indicator || shows(getComputedStyle(label)) || shows(getComputedStyle(label, '::before'));
        }
    }
    return {
        describe: `<${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}> ${text(el).slice(0, 60)}`,
        matches: el.matches(selector) && (name === null || text(el) === name),
        indicator: indicator,
    };
}"""


@dataclass
class Keyboard:
    """Moves through a page with the keyboard only, noting every focused element without a visible indicator."""

    page: Any
    unseen: list[str] = field(default_factory=list)

    def _focused(self, selector: str = "*", name: str | None = None) -> dict[str, Any] | None:
        info = self.page.evaluate(_FOCUS, [selector, name])
        if info is not None and not info["indicator"]:
            self.unseen.append(f"{self.page.url}: {info['describe']}")
        return info

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self._focused()

    def tab_to(self, selector: str, name: str | None = None, *, backwards: bool = False) -> None:
        """Press Tab (Shift+Tab) until the focused element matches the CSS selector and, if given, the name."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(TAB_LIMIT):
            self.page.keyboard.press(key)
            info = self._focused(selector, name)
            if info is not None and info["matches"]:
                return
        raise AssertionError(
            f"{selector} {name or ''} not reached with {TAB_LIMIT} presses of {key} on {self.page.url}"
        )

    def skip_to_content(self) -> None:
        """The first Tab on a page reaches the skip link; Enter moves on to the main content."""
        self.page.keyboard.press("Tab")
        info = self._focused("a.usa-skipnav", "Skip to main content")
        assert info is not None and info["matches"], f"the first Tab reached {info} instead of the skip link"
        self.page.keyboard.press("Enter")
        assert self.page.evaluate("document.activeElement.id") == "main-content"

    def follow(self, selector: str, name: str | None = None) -> None:
        self.tab_to(selector, name)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def sign_in(self, email: str, password: str) -> None:
        self.page.goto("/login")
        self.skip_to_content()
        self.tab_to("input#email")
        self.page.keyboard.type(email)
        self.tab_to("input#password")
        self.page.keyboard.type(password)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        assert "/login" not in self.page.url, f"{email} was not signed in"

    def assert_focus_always_visible(self) -> None:
        assert not self.unseen, "focused without a visible focus indicator:\n" + "\n".join(self.unseen)


def _demo(role: str) -> tuple[str, str]:
    user = next(u for u in DEMO_USERS if u.role == role and u.org_slug == STATE_SLUG)
    return user.email, user.password


def test_keyboard_only_editor_signs_in_and_drafts_a_section(page: Any) -> None:
    keys = Keyboard(page)
    keys.sign_in(*_demo("editor"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Plans of Demo State Office of the CIO")

    keys.skip_to_content()
    keys.follow("a", PLAN_TITLE)
    expect(page.get_by_role("heading", level=1)).to_have_text(PLAN_TITLE)
    keys.follow("a[href$='/edit'][href*='/sections/']")  # the first section's "Edit" link
    title = page.locator("h1").inner_text().removeprefix("Edit “").removesuffix("”")

    keys.tab_to("textarea[name=body]")
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\nTyped without a mouse: every resident can finish their task with a keyboard alone.")
    keys.tab_to("button", "Save")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".pw-section-body")).to_contain_text("every resident can finish their task with a keyboard")
    keys.assert_focus_always_visible()
    assert page.problems == []


@dataclass(frozen=True)
class Scoring:
    review_id: int
    board_member: tuple[str, str]


@pytest.fixture(scope="module")
def scoring(live_app: Flask) -> Scoring:
    """A review before the IT Governance Board that nobody has scored yet, and a member of that board."""
    from app.governance.models import Board, Review
    from app.portfolio.models import Initiative

    with live_app.app_context():
        review_id = db.session.scalar(
            db.select(Review.id)
            .join(Initiative, Review.initiative_id == Initiative.id)
            .join(Board, Review.board_id == Board.id)
            .where(Board.name == "IT Governance Board", Initiative.code == "INI-0030")
        )
    assert review_id is not None
    tom = next(b for b in DEMO_BOARD_USERS if b.email.startswith("tom.alvarez@"))
    return Scoring(review_id, (tom.email, tom.password))


def test_keyboard_only_board_member_scores_a_review(page: Any, scoring: Scoring) -> None:
    keys = Keyboard(page)
    keys.sign_in(*scoring.board_member)

    keys.follow("nav a.usa-nav-link", "Boards")
    keys.follow("a", "My board work: meetings and what I still have to score")
    keys.follow(f"a[href='/reviews/{scoring.review_id}#scoring']")

    groups = page.evaluate(
        "[...new Set([...document.querySelectorAll('form[action$=\"/scores\"] input[type=radio]')].map(r => r.name))]"
    )
    assert len(groups) == 5, groups  # the demo rubric's five criteria
    scores = dict(zip(groups, (4, 5, 2, 1, 3), strict=True))
    for group, score in scores.items():
        keys.tab_to(f"input[type=radio][name='{group}']")
        page.keyboard.press("Space")  # selects 1
        for _ in range(score - 1):
            keys.press("ArrowDown")  # moves to, and selects, the next level
        if group == groups[0]:
            keys.tab_to(f"textarea[name='comment-{group.removeprefix('score-')}']")
            page.keyboard.type("Scored with the keyboard only.")
    chosen = page.evaluate(
        "(names) => names.map(n => document.querySelector(`input[name='${n}']:checked`)?.value)", groups
    )
    assert chosen == [str(s) for s in scores.values()]

    keys.tab_to("button", "Submit scores (final)")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("status").first).to_contain_text("Submitted your scores.")
    expect(page.get_by_text("You submitted your scores")).to_be_visible()
    keys.assert_focus_always_visible()
    assert page.problems == []


def test_keyboard_only_viewer_makes_and_downloads_the_plan_pdf(page: Any, tmp_path: Path) -> None:
    keys = Keyboard(page)
    keys.sign_in(*_demo("viewer"))

    keys.skip_to_content()
    keys.follow("a", PLAN_TITLE)
    keys.follow("a", f"Download PDF of {PLAN_TITLE}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"PDF exports of {PLAN_TITLE}")
    keys.tab_to("select#export-version")  # "Current draft" is chosen already
    keys.tab_to("button", "Make the PDF")
    with page.expect_navigation(timeout=RENDER_TIMEOUT_MS):
        page.keyboard.press("Enter")
    expect(page.locator("#export-status-text")).to_contain_text("Ready", timeout=RENDER_TIMEOUT_MS)

    keys.tab_to("a#export-download")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".pdf"
    assert saved.read_bytes().startswith(b"%PDF-")

    # The ready export page, which the page-by-page sweep only sees queued, passes axe too.
    assert blocking(page, f"viewer {page.url}") == []
    keys.assert_focus_always_visible()
    assert page.problems == []


def test_focus_check_notices_an_element_whose_focus_cannot_be_seen(page: Any) -> None:
    """The harness itself: with the email field's outline and shadow removed, tabbing to it is reported."""
    keys = Keyboard(page)
    page.goto("/login")
    page.evaluate(
        "() => { const s = document.getElementById('email').style;"
        " s.setProperty('outline', 'none', 'important'); s.setProperty('box-shadow', 'none', 'important'); }"
    )
    keys.tab_to("input#password")
    assert [entry for entry in keys.unseen if "<input id=email>" in entry], keys.unseen
    assert not [entry for entry in keys.unseen if "id=password" in entry]
