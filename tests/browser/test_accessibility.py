"""Accessibility evidence: axe-core in Chromium on every page a person can open, for every role.

For each role (admin, editor, reviewer, viewer, a board member, and someone not signed in) the test
visits every GET route of ``app.url_map`` that needs no URL parameter (and a URL that does not exist, for
the 404 page), then follows the links it finds on those pages to reach one instance of every object
page (plan, section editor, objective, KPI, initiative, board, rubric, review, meeting, decision,
workforce role, service, export, ...) with the demo data's own ids; a few instances that tell more (the
board with the meetings, the section with the live roadmap and budget, an unscored review) are named
first. On each page it runs axe-core with the WCAG 2.0/2.1 A and AA rules and fails listing every
violation of impact serious or critical: rule id, impact, page and the CSS selectors of the offending
elements. How axe is run, and why that is sound under the app's CSP: tests/browser/a11y.py.

Time is bounded: one Chromium for the module, one context (cookies) per role, one tab reused for every
page; a redirect to a page already checked, and a second error page of the same status, are not checked
again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from app.demo.governance import DEMO_BOARD_USERS
from app.demo.seed import DEMO_USERS, STATE_SLUG
from app.extensions import db
from tests.browser.a11y import BLOCKING, WCAG_TAGS, run_axe, serious
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed: apt-get install chromium"),
]

# Routes that answer with something other than a page for a person: files, JSON, probes, sign-in callbacks.
# (A route not listed here that starts a download is recognised when the browser says so, and skipped.)
NOT_PAGES = {
    "static",
    "core.healthz",
    "core.readyz",
    "auth.sso_callback",
    "exports.download_export",
    "exports.export_status",
}
NOT_PAGE_BLUEPRINTS = {"api"}
MISSING_PAGE = "/no-such-page-here"

# The pages the issue names, which each signed-in role must have reached (when the role may open them).
MAIN_PAGES = {
    "plans.list_plans",
    "plans.show_plan",
    "plans.show_section",  # the action-plan section: live roadmap and budget
    "plans.edit_section",
    "plans.section_history",
    "plans.compare_revisions",  # a long word-by-word difference in a scrolling box
    "plans.traceability",
    "plans.balance",
    "plans.gaps",
    "objectives.list_objectives",
    "objectives.show_objective",
    "objectives.show_kpi",
    "portfolio.list_initiatives",
    "portfolio.show_initiative",
    "governance.list_boards",
    "governance.show_board",
    "governance.show_rubric",
    "governance.show_review",
    "governance.show_meeting",
    "governance.list_decisions",
    "governance.show_decision",
    "governance.show_ranking",
    "governance.inbox",
    "governance.plan_versions",
    "workforce.show_workforce",
    "workforce.show_role",
    "workforce.show_capacity",
    "workforce.list_skills",
    "workforce.list_actions",
    "architecture.list_services",
    "architecture.show_service",
    "architecture.list_principles",
    "architecture.list_standards",
    "exports.plan_exports",
    "exports.show_export",
    "auth.list_users",
    "exports.organization_settings",
    "auth.account_security",
    "core.accessibility",
}
ADMIN_PAGES = {"auth.list_users", "exports.organization_settings"}
WRITER_PAGES = {"plans.edit_section"}
ANONYMOUS_PAGES = {"auth.login", "auth.forgot_password", "auth.reset_password", "core.accessibility"}


@dataclass(frozen=True)
class Person:
    label: str
    email: str | None = None
    password: str | None = None

    def expected_pages(self) -> set[str]:
        """Only admins manage users and settings; only admins and editors write sections (the others get the
        "not allowed" page there, which is checked too)."""
        if self.email is None:
            return ANONYMOUS_PAGES
        if self.label == "admin":
            return MAIN_PAGES
        if self.label == "editor":
            return MAIN_PAGES - ADMIN_PAGES
        return MAIN_PAGES - ADMIN_PAGES - WRITER_PAGES


def _demo(role: str) -> Person:
    user = next(u for u in DEMO_USERS if u.role == role and u.org_slug == STATE_SLUG)
    return Person(role, user.email, user.password)


_TOM = next(b for b in DEMO_BOARD_USERS if b.email.startswith("tom.alvarez@"))
PEOPLE = [
    _demo("admin"),
    _demo("editor"),
    _demo("reviewer"),
    _demo("viewer"),
    Person("board member", _TOM.email, _TOM.password),
    Person("not signed in"),
]


@dataclass
class Audit:
    reached: set[str] = field(default_factory=set)  # endpoints answered 200 without a redirect
    checked: list[str] = field(default_factory=list)  # URLs axe ran on
    violations: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser(live_server: str) -> Iterator[Any]:
    """One Chromium for the whole module; each role gets its own context (cookies) in it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def telling_pages(live_app: Flask) -> list[tuple[str, str]]:
    """(url, endpoint) of instances the link crawl might reach only through a less telling one, or not at all:
    the IT Governance Board (it has the meetings), next month's meeting and its board pack, the action-plan
    section with the live roadmap and budget (and its editor), an unscored and a fully scored review, two
    revisions to compare, and a plan PDF waiting in the queue (requested, not rendered: its page is what a
    person sees meanwhile)."""
    from app.auth.models import User
    from app.exports import services as exports
    from app.governance.models import Board, Meeting, Review
    from app.plans.models import Plan, PlanSection, SectionRevision
    from app.portfolio.models import Initiative

    with live_app.app_context():
        plan = db.session.scalars(db.select(Plan).order_by(Plan.id)).first()
        board = db.session.scalar(db.select(Board).where(Board.name == "IT Governance Board"))
        assert plan is not None and board is not None
        meeting = db.session.scalars(
            db.select(Meeting).where(Meeting.board_id == board.id).order_by(Meeting.starts_at.desc())
        ).first()
        roadmap = db.session.scalar(
            db.select(PlanSection).where(
                PlanSection.plan_id == plan.id, PlanSection.body.contains("planwright roadmap")
            )
        )
        revised = db.session.scalar(
            db.select(SectionRevision.section_id).where(SectionRevision.number == 2).order_by(SectionRevision.id)
        )
        assert meeting is not None and roadmap is not None and revised is not None
        reviews = [
            db.session.scalar(
                db.select(Review.id)
                .join(Initiative, Review.initiative_id == Initiative.id)
                .where(Review.board_id == board.id, Initiative.code == code)
            )
            for code in ("INI-0030", "INI-0026")  # nobody has scored it; everybody has
        ]
        editor = db.session.scalar(db.select(User).where(User.email == _demo("editor").email))
        export = exports.request_plan_pdf(plan, user=editor).export
        db.session.commit()
        return [
            (f"/boards/{board.id}", "governance.show_board"),
            (f"/meetings/{meeting.id}", "governance.show_meeting"),
            (f"/meetings/{meeting.id}/board-pack", "exports.board_pack"),
            (f"/plans/{plan.id}/sections/{roadmap.id}", "plans.show_section"),
            (f"/plans/{plan.id}/sections/{roadmap.id}/edit", "plans.edit_section"),
            *((f"/reviews/{review}", "governance.show_review") for review in reviews),
            (f"/plans/{plan.id}/sections/{revised}/compare?from=1&to=2", "plans.compare_revisions"),
            (f"/exports/{export.id}", "exports.show_export"),
        ]


def _is_page_route(rule: Rule) -> bool:
    return (
        "GET" in (rule.methods or ())
        and rule.endpoint not in NOT_PAGES
        and rule.endpoint.split(".")[0] not in NOT_PAGE_BLUEPRINTS
        and "fmt" not in rule.arguments
        and not rule.rule.endswith(("/download", "/status", ".xml", ".json", ".csv", ".xlsx", ".pdf"))
    )


def _routes_without_parameters(app: Flask) -> list[tuple[str, str]]:
    rules = sorted((r for r in app.url_map.iter_rules() if _is_page_route(r) and not r.arguments), key=str)
    return [(rule.rule, rule.endpoint) for rule in rules] + [(MISSING_PAGE, "404")]


def _page_link(app: Flask, href: str, origin: str) -> tuple[str, str] | None:
    """(url, endpoint) of a same-origin link to a page route, else None."""
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    try:
        endpoint, _ = app.url_map.bind("127.0.0.1").match(parts.path, method="GET")
    except HTTPException:
        return None
    rule = next(r for r in app.url_map.iter_rules(endpoint) if "GET" in (r.methods or ()))
    if not _is_page_route(rule):
        return None
    return (parts.path + (f"?{parts.query}" if parts.query else ""), str(endpoint))


def _sign_in(page: Any, person: Person) -> None:
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{person.label} could not sign in"


def _audit(app: Flask, browser: Any, origin: str, person: Person, first: list[tuple[str, str]]) -> Audit:
    audit = Audit()
    context = browser.new_context(base_url=origin)
    page = context.new_page()
    try:
        if person.email:
            _sign_in(page, person)
        queue = first + _routes_without_parameters(app)
        queued = {endpoint for _, endpoint in queue}
        checked_paths: set[str] = set()
        checked_errors: set[int] = set()
        while queue:
            url, endpoint = queue.pop(0)
            try:
                response = page.goto(url)
            except PlaywrightError as exc:
                if "Download is starting" in str(exc):
                    continue  # a file (CSV, XML, PDF...), not a page
                raise
            assert response is not None
            status = response.status
            if status == 200 and response.request.redirected_from is None:
                audit.reached.add(endpoint)
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            path = urlsplit(page.url).path
            if path in checked_paths or (status >= 400 and status in checked_errors):
                continue
            checked_paths.add(path)
            if status >= 400:
                checked_errors.add(status)
            audit.checked.append(url)
            audit.violations += serious(run_axe(page), f"{person.label} {url} ({endpoint}, {status})")
            if status >= 400:
                continue
            for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
                found = _page_link(app, href, origin)
                if found and found[1] not in queued:
                    queued.add(found[1])
                    queue.append(found)
    finally:
        context.close()
    return audit


@pytest.mark.parametrize("person", PEOPLE, ids=[p.label.replace(" ", "-") for p in PEOPLE])
def test_no_serious_or_critical_axe_violations_on_any_page(
    live_app: Flask,
    live_server: str,
    browser: Any,
    telling_pages: list[tuple[str, str]],
    person: Person,
) -> None:
    audit = _audit(live_app, browser, live_server, person, telling_pages)

    missing = sorted(person.expected_pages() - audit.reached)
    assert not missing, f"{person.label} never reached these pages (no link to them, or an error): {missing}"
    assert MISSING_PAGE in audit.checked, "the 404 page was not checked"
    assert len(audit.checked) >= (5 if person.email is None else 45), f"only {len(audit.checked)} pages checked"
    assert not audit.violations, (
        f"{len(audit.violations)} serious or critical axe violations ({', '.join(WCAG_TAGS)}) "
        f"on {len(audit.checked)} pages:\n" + "\n".join(audit.violations)
    )


def test_axe_runs_under_the_pages_csp_and_reports_what_it_must(live_server: str, browser: Any) -> None:
    """The harness itself: the page keeps its CSP, axe still runs, and an unlabelled field is reported."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    try:
        response = page.goto("/login")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert not [v for v in run_axe(page) if v["impact"] in BLOCKING]
        page.evaluate(
            "() => { const i = document.createElement('input'); i.type = 'text'; i.id = 'planted';"
            " document.querySelector('main').appendChild(i); }"
        )
        found = [v for v in run_axe(page) if v["impact"] in BLOCKING]
        assert any(v["id"] == "label" and "#planted" in v["targets"] for v in found), found
        # An injected <script> element is refused by the same policy: the reason axe is evaluated instead.
        with pytest.raises(PlaywrightError):
            page.add_script_tag(content="window.injected = true")
        assert page.evaluate("window.injected === undefined")
    finally:
        context.close()
