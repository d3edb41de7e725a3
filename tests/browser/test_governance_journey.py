"""An initiative goes to a board and comes out approved above the funding line, in Chromium.

Journey from the governance issue: an editor writes the business case and submits it → three board members
score it independently (the last one sees the others' scores only after submitting) → the chair records
"approve" with a rationale → the initiative shows "Approved" with the rationale → the board's ranking shows it
above the funding line. The board, its members, the initiative's costs and its objective are set up through
factories and services first; everything the issue's journey names is done in the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from app.auth.models import Organization, User
from app.demo.seed import DEMO_USERS, STATE_SLUG
from app.extensions import db
from app.objectives.models import PolicyObjective
from app.portfolio import services as portfolio
from app.portfolio.models import Initiative
from tests.browser.conftest import CHROMIUM
from tests.factories import PASSWORD, create_user
from tests.governance.factories import create_board, create_review, give_scores

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed: apt-get install chromium"),
]

BOARD = "Enterprise Technology Investment Committee"
EDITOR = next(u for u in DEMO_USERS if u.role == "editor" and u.org_slug == STATE_SLUG)
# (name, email) in scoring order; the chair scores last and then decides.
GRACE = ("Grace Okafor", "grace.okafor@budget.demo-state.example")
LUIS = ("Luis Betancourt", "luis.betancourt@labor.demo-state.example")
HELEN = ("Helen Brandt", "helen.brandt@budget.demo-state.example")
# Criteria of tests.governance.factories.DEFAULT_CRITERIA, weights 30, 25, 20, 15, 10.
SCORES = {
    GRACE: (4, 5, 3, 4, 4),
    LUIS: (5, 4, 3, 3, 4),
    HELEN: (4, 4, 4, 4, 5),
}
# (30·13 + 25·13 + 20·10 + 15·11 + 10·13) / 3 / 100 = 4.0333… → 4.03
WEIGHTED = "4.03"
GRACE_COMMENT = "Replaces a 1990s mainframe tax system that fails every quarter-end; strong fit with G1.4."
RATIONALE = (
    "Approved as submitted: the committee agrees the current unemployment insurance tax system is a critical "
    "risk, and the cloud-hosted commercial product is the lowest-risk option."
)
FISCAL_YEAR = 2028


@dataclass(frozen=True)
class Scene:
    initiative_id: int
    board_id: int


def _set_the_scene(app: Flask) -> Scene:
    """Three board members, a board with the default rubric, the initiative with a FY2028 cost and an objective,
    and a lower-scoring rival before the same board so the funding line falls between them."""
    with app.app_context():
        state = db.session.scalar(db.select(Organization).where(Organization.slug == STATE_SLUG))
        editor = db.session.scalar(db.select(User).where(User.email == EDITOR.email))
        assert state is not None and editor is not None
        members = {
            person: create_user(org=state, role="reviewer", name=person[0], email=person[1]) for person in SCORES
        }
        board = create_board(
            org=state,
            name=BOARD,
            members=[(members[HELEN], "chair"), (members[GRACE], "member"), (members[LUIS], "member")],
        )
        initiative = portfolio.create_initiative(
            organization=state,
            user=editor,
            fields=portfolio.InitiativeFields(
                code="INI-0150",
                title="Unemployment insurance tax system replacement",
                summary="Replace the employer tax and wage-reporting system of the Department of Labor.",
                category="transform",
                owner="Department of Labor Chief Information Officer",
                start_date=date(2027, 7, 1),
                end_date=date(2029, 12, 31),
            ),
        )
        portfolio.add_cost(
            initiative, user=editor, fiscal_year=FISCAL_YEAR, capital=Decimal("1800000"), operating=Decimal("350000")
        )
        objective = db.session.scalar(
            db.select(PolicyObjective).where(
                PolicyObjective.organization_id == state.id, PolicyObjective.code == "G1.4"
            )
        )
        assert objective is not None
        portfolio.link_objective(
            initiative, user=editor, objective=objective, role="primary", rationale="Employers file wages online."
        )
        rival = _rival(state, editor)
        db.session.commit()
        review = create_review(board=board, initiative=rival, submitted_by=editor)
        for person in SCORES:
            give_scores(review, members[person], [3, 3, 3, 3, 3])
        return Scene(initiative_id=initiative.id, board_id=board.id)


def _rival(state: Organization, editor: User) -> Initiative:
    rival = portfolio.create_initiative(
        organization=state,
        user=editor,
        fields=portfolio.InitiativeFields(code="INI-0151", title="Statewide aerial imagery refresh"),
    )
    portfolio.add_cost(rival, user=editor, fiscal_year=FISCAL_YEAR, capital=Decimal("900000"), operating=Decimal("0"))
    return rival


@pytest.fixture
def scene(live_app: Flask) -> Scene:
    return _set_the_scene(live_app)


def _sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/plans")


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Planwright")


def _write_and_submit_the_business_case(page: Page, scene: Scene) -> None:
    _sign_in(page, EDITOR.email, EDITOR.password)
    page.goto(f"/initiatives/{scene.initiative_id}")
    governance = page.locator("#governance")
    expect(governance).to_contain_text("Fill in “Benefits” in the business case.")
    expect(governance.get_by_role("button", name="Submit to the board")).to_have_count(0)
    governance.get_by_role("link", name="Write the business case").click()
    page.get_by_label("Problem statement (Markdown)").fill(
        "The employer tax system runs on a 1990s mainframe. Quarter-end filing fails for 1 in 12 employers."
    )
    page.get_by_label("Options considered (Markdown)").fill(
        "1. Do nothing: $1.1M a year in mainframe support.\n2. Rewrite in house.\n3. Cloud-hosted commercial product."
    )
    page.get_by_label("Recommended option (Markdown)").fill("Option 3, the cloud-hosted commercial product.")
    page.get_by_label("Benefits (Markdown)").fill("Employers file and pay online in one visit; $600,000 a year saved.")
    page.get_by_label("Alignment rationale (Markdown)").fill("Serves G1.4: high-volume transactions online.")
    page.get_by_role("button", name="Save the business case").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved the business case.")
    governance.get_by_label("Board").select_option(label=BOARD)
    governance.get_by_role("button", name="Submit to the board").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Submitted INI-0150 to “{BOARD}”")
    case = page.locator("#case")
    expect(case).to_contain_text("Option 3, the cloud-hosted commercial product.")
    expect(case.locator("table", has_text="Costs by fiscal year")).to_contain_text(f"FY{FISCAL_YEAR}")
    expect(case).to_contain_text("G1.4")
    _sign_out(page)


def _open_from_my_board_work(page: Page) -> None:
    page.get_by_role("navigation", name="Primary").get_by_role("link", name="Boards").click()
    page.get_by_role("link", name=re.compile("^My board work")).click()
    page.get_by_role("link", name="Unemployment insurance tax system replacement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Unemployment insurance tax system replacement")


def _score(page: Page, values: tuple[int, ...], comment: str = "") -> None:
    fieldsets = page.locator("#scoring fieldset")
    expect(fieldsets).to_have_count(len(values))
    for index, value in enumerate(values):
        fieldset = fieldsets.nth(index)
        fieldset.locator(f"label[for$='-{value}']").click()  # USWDS radios are styled labels
        expect(fieldset.locator(f"input[value='{value}']")).to_be_checked()
    if comment:
        fieldsets.first.get_by_label(re.compile("^Comment on")).fill(comment)
    page.get_by_role("button", name="Submit scores (final)").click()
    expect(page.get_by_role("status").first).to_contain_text("Submitted your scores.")


def _members_score(page: Page) -> None:
    for person, comment in ((GRACE, GRACE_COMMENT), (LUIS, "")):
        _sign_in(page, person[1], PASSWORD)
        _open_from_my_board_work(page)
        _score(page, SCORES[person], comment)
        _sign_out(page)


def _chair_scores_last(page: Page) -> None:
    _sign_in(page, HELEN[1], PASSWORD)
    _open_from_my_board_work(page)
    scoring = page.locator("#progress")
    expect(scoring).to_contain_text(f"Scored: {GRACE[0]}, {LUIS[0]}.")
    expect(scoring).to_contain_text("You will see the other members’ scores")
    expect(page.locator("#results")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(GRACE_COMMENT)
    expect(page.locator("main")).not_to_contain_text("Weighted score")
    _score(page, SCORES[HELEN])
    results = page.locator("#results")
    expect(results).to_contain_text(f"Weighted score: {WEIGHTED} of 5")
    members = results.locator("table", has_text="Each member’s scores")
    expect(members.locator("tr", has_text=GRACE[0])).to_contain_text("4.05")  # (120+125+60+60+40) / 100
    expect(members.locator("tr", has_text=LUIS[0])).to_contain_text("3.95")
    expect(results).to_contain_text(GRACE_COMMENT)


def _chair_approves(page: Page) -> None:
    page.get_by_role("link", name="Record the board's decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the decision")
    approve = page.get_by_role("radio", name=re.compile(r"^Approve(?! with)"))
    page.locator(f"label[for='{approve.get_attribute('id')}']").click()
    expect(approve).to_be_checked()
    page.get_by_label("Rationale").fill(RATIONALE)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status").first).to_contain_text("Recorded decision #")
    expect(page.locator("main")).to_contain_text(RATIONALE)


def _chair_sets_the_envelope(page: Page) -> None:
    page.get_by_role("navigation", name="Primary").get_by_role("link", name="Boards").click()
    page.get_by_role("link", name=BOARD, exact=True).click()
    page.get_by_role("link", name="Ranking within the money and the funding line").click()
    envelope = page.locator("form", has=page.get_by_role("button", name="Save the envelope"))
    envelope.get_by_label("Fiscal year").fill(str(FISCAL_YEAR))
    envelope.get_by_label("Envelope ($)").fill("2,500,000")
    envelope.get_by_role("button", name="Save the envelope").click()
    expect(page.get_by_role("status").first).to_contain_text(f"The FY{FISCAL_YEAR} envelope of {BOARD} is now")
    _sign_out(page)


def _ranking_shows_it_above_the_line(page: Page, scene: Scene) -> None:
    page.goto(f"/boards/{scene.board_id}/ranking?fy={FISCAL_YEAR}")
    rows = page.locator("table.pw-ranking tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("INI-0150")
    expect(rows.nth(0)).to_contain_text("Approve")
    expect(rows.nth(0)).to_contain_text(WEIGHTED)
    expect(rows.nth(0)).to_contain_text("Above the line")
    expect(rows.nth(1)).to_contain_text("Funding line: $2,500,000")
    expect(rows.nth(2)).to_contain_text("INI-0151")
    expect(rows.nth(2)).to_contain_text("Below the line")


def test_editor_submits_three_members_score_chair_approves_within_the_money(page: Page, scene: Scene) -> None:
    _write_and_submit_the_business_case(page, scene)
    _members_score(page)
    _chair_scores_last(page)
    _chair_approves(page)
    _chair_sets_the_envelope(page)

    _sign_in(page, EDITOR.email, EDITOR.password)
    page.goto(f"/initiatives/{scene.initiative_id}")
    expect(page.locator("main p", has_text="Status:")).to_contain_text("Approved")
    decision = page.locator("[data-decision-panel]")
    expect(decision).to_contain_text("Approve")
    expect(decision.locator("[data-rationale]")).to_have_text(RATIONALE)
    _ranking_shows_it_above_the_line(page, scene)
    assert page.problems == []  # type: ignore[attr-defined]
