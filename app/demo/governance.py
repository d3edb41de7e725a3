"""Demo governance data for the state office: board members, two boards with published rubrics, proposals
submitted with business cases, independent scores (one recusal, one unsubmitted draft) and meetings.

Everything goes through the governance services, so audit events, status changes and notices are real.
``load_boards_and_reviews`` is this part; the decisions and the plan adoption are loaded after it by their own
modules. Seeding is skipped when the state office exists, so loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from app.auth.models import Organization, Role, User
from app.auth.services import create_user
from app.core.db import utcnow
from app.demo.governance_decisions import load_demo_decisions
from app.demo.plan_adoption import load_demo_adoption
from app.demo.portfolio import _initiative
from app.extensions import db
from app.governance.models import Board, Review
from app.governance.services import boards as board_services
from app.governance.services import meetings as meeting_services
from app.governance.services import reviews as review_services
from app.objectives.models import PolicyObjective
from app.plans.models import Plan
from app.portfolio.models import Initiative

DEMO_GOVERNANCE_FILE = Path(__file__).with_name("demo_governance.yaml")


@dataclass(frozen=True)
class BoardUser:
    email: str
    name: str
    job_title: str
    password: str


# Published passwords, like the other demo logins: demo data is refused in production (see `flask seed demo`).
# All are reviewers in the state office; their board roles come from demo_governance.yaml.
DEMO_BOARD_USERS = (
    BoardUser("dana.whitfield@ocio.demo-state.example", "Dana Whitfield", "Deputy CIO", "Harbor-Lantern-2027"),
    BoardUser("marcus.lee@ocio.demo-state.example", "Marcus Lee", "PMO lead", "Cedar-Beacon-2027"),
    BoardUser(
        "priya.raman@ocio.demo-state.example",
        "Priya Raman",
        "Chief Information Security Officer",
        "Falcon-Meridian-2027",
    ),
    BoardUser("tom.alvarez@ocio.demo-state.example", "Tom Alvarez", "Chief Data Officer", "Prairie-Signal-2027"),
)


def load_demo_governance(state: Organization, users: dict[tuple[str, str], User], plan: Plan) -> None:
    """Boards, reviews and meetings; then decisions and envelopes; then the plan's adoption history."""
    load_boards_and_reviews(state, users)
    load_demo_decisions(state, users)
    load_demo_adoption(state, users, plan)


def load_boards_and_reviews(state: Organization, users: dict[tuple[str, str], User]) -> dict[str, Any]:
    """The boards, their members and rubrics, proposals submitted and scored, and two meetings."""
    data = yaml.safe_load(DEMO_GOVERNANCE_FILE.read_text(encoding="utf-8"))
    slug = state.slug
    admin, editor = users[(slug, "admin")], users[(slug, "editor")]
    people = {u.email: u for u in users.values()}
    for spec in DEMO_BOARD_USERS:
        people[spec.email] = create_user(
            email=spec.email, name=spec.name, password=spec.password, organization=state, role=Role.REVIEWER
        )
    boards = {spec["name"]: _board(state, admin, spec, people) for spec in data["boards"]}
    initiatives = _proposals(state, editor, data)
    itgb, arb = boards["IT Governance Board"], boards["Architecture Review Board"]
    itgb_reviews = [_review(itgb, initiatives[spec["code"]], editor, spec, people) for spec in data["itgb_reviews"]]
    arb_reviews = [_review(arb, initiatives[spec["code"]], editor, spec, people) for spec in data["arb_reviews"]]
    meetings = _meetings(itgb, people["marcus.lee@ocio.demo-state.example"], itgb_reviews)
    db.session.flush()
    return {"boards": boards, "reviews": itgb_reviews + arb_reviews, "meetings": meetings, "people": people}


def _board(state: Organization, admin: User, spec: dict[str, Any], people: dict[str, User]) -> Board:
    fields = board_services.BoardFields(
        name=spec["name"],
        terms_of_reference=spec["terms_of_reference"].strip(),
        quorum_kind=spec["quorum_kind"],
        quorum_value=spec["quorum_value"],
        reviews_plans=spec["reviews_plans"],
    )
    board = board_services.create_board(organization=state, user=admin, fields=fields)
    for member in spec["members"]:
        board_services.add_member(board, user=admin, member=people[member["email"]], role=member["role"])
    criteria = [
        board_services.CriterionFields(
            name=c["name"], weight=c["weight"], description=c["description"], descriptors=tuple(c["levels"])
        )
        for c in spec["criteria"]
    ]
    board_services.save_rubric(board, user=admin, criteria=criteria, note=spec["rubric_note"])
    return board


def _proposals(state: Organization, editor: User, data: dict[str, Any]) -> dict[str, Initiative]:
    objectives = {
        o.code: o
        for o in db.session.scalars(db.select(PolicyObjective).where(PolicyObjective.organization_id == state.id))
    }
    initiatives = {
        i.code: i for i in db.session.scalars(db.select(Initiative).where(Initiative.organization_id == state.id))
    }
    for spec in data["proposals"]:
        initiatives[spec["code"]] = _initiative(
            state, editor, {k: v for k, v in spec.items() if k != "case"}, objectives
        )
    cases = {spec["code"]: spec["case"] for spec in data["proposals"]} | data["existing_cases"]
    for code, case in cases.items():
        initiative = initiatives[code]
        fields = review_services.CaseFields(problem=initiative.problem, **case)
        review_services.save_business_case(initiative, user=editor, fields=fields)
    return initiatives


def _review(
    board: Board, initiative: Initiative, editor: User, spec: dict[str, Any], people: dict[str, User]
) -> Review:
    db.session.refresh(initiative)  # costs, risks and objectives added just now
    review = review_services.submit_initiative(initiative, user=editor, board=board)
    criteria = review.rubric.criteria
    for email, values in (spec.get("scores") or {}).items():
        comments = spec.get("comments", {}).get(email, {})
        review_services.save_scores(
            review,
            user=people[email],
            values={c.id: v for c, v in zip(criteria, values, strict=True)},
            comments={c.id: comments.get(c.name, "") for c in criteria},
            final=True,
        )
    for email, reason in (spec.get("recusals") or {}).items():
        review_services.recuse(review, user=people[email], reason=reason)
    for email, values in (spec.get("drafts") or {}).items():
        partial = dict(zip((c.id for c in criteria), values, strict=False))  # a draft scores only some
        review_services.save_scores(review, user=people[email], values=partial, comments={}, final=False)
    return review


def _meetings(board: Board, secretary: User, reviews: list[Review]) -> list[Any]:
    """Last month's meeting (held) took the first four items; next month's has the rest on its agenda."""
    today = utcnow().date()
    last_month = meeting_services.schedule_meeting(
        board,
        user=secretary,
        fields=meeting_services.MeetingFields(
            title=f"{board.name} – {_month(today, -1):%B %Y}",
            starts_at=meeting_services.to_utc(_month(today, -1), time(14, 0)),
            location="Capitol Annex, Room 310, and Microsoft Teams",
            notes="Papers were circulated a week ahead. Apologies: none.",
        ),
    )
    next_month = meeting_services.schedule_meeting(
        board,
        user=secretary,
        fields=meeting_services.MeetingFields(
            title=f"{board.name} – {_month(today, 1):%B %Y}",
            starts_at=meeting_services.to_utc(_month(today, 1), time(14, 0)),
            location="Capitol Annex, Room 310, and Microsoft Teams",
            notes="**Members:** please submit your scores by the Friday before the meeting. The radio network item "
            "has a wide spread on strategic alignment; the chair will open the discussion there.",
        ),
    )
    for review in reviews[:4]:
        meeting_services.add_agenda_item(last_month, user=secretary, review=review)
    meeting_services.set_status(last_month, user=secretary, status="held")
    for review in reviews[4:]:
        meeting_services.add_agenda_item(next_month, user=secretary, review=review)
    return [last_month, next_month]


def _month(today: date, months: int) -> date:
    """The third Thursday of the month ``months`` away: the board's usual meeting day."""
    index = today.year * 12 + today.month - 1 + months
    first = date(index // 12, index % 12 + 1, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 14)
