"""The scale data set's plans and governance (``flask seed scale``), for the load test and the PDF benchmark.

Per organization (accounts written directly with the data set's one password hash, like its editor; the rest
through the services, so audit events, revisions and notices are real):
- an administrator ``admin@<slug>.example`` and ``board_members`` editors ``member01@<slug>.example``, ...
  who sit on the "IT Governance Board" (one chair, one secretary, the rest members), all with the password
  ``SCALE_PASSWORD``; they are editors too, so one signed-in account can both draft a section and score;
- ``SCALE_PLAN_TITLE``, a plan made from the US state template plus ``PROGRAMME_SECTIONS`` written sections,
  covering ``PLAN_INITIATIVES`` initiatives; it is submitted to the board, so version 1 is frozen (the load
  test asks for that version's PDF: rendered once, then reused) while the draft stays editable;
- a published rubric and ``open_reviews`` initiatives submitted with a business case: open reviews whose
  score sheets are still to be filled.

In the first organization only, ``LONG_PLAN_TITLE``: the same template plus 150 long sections, a PDF of about
340 pages (the PDF benchmark), with its scope narrowed to a few initiatives so its roadmap stays short.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.auth.models import Membership, Organization, Role, User
from app.extensions import db
from app.governance.models import Board, Review
from app.governance.services import boards as board_services
from app.governance.services import reviews as review_services
from app.governance.services.adoption import submit_plan
from app.plans import services as plan_services
from app.plans.models import Plan
from app.plans.scope import set_scope
from app.plans.templates import get_template
from app.portfolio.models import Initiative, InitiativeStatus

SCALE_PLAN_TITLE = "Scale plan"
LONG_PLAN_TITLE = "Scale plan (long)"
BOARD_NAME = "IT Governance Board"
TEMPLATE_KEY = "us-state-customer-centric"
BOARD_MEMBERS = 12
OPEN_REVIEWS = 12
PROGRAMME_SECTIONS = 15  # written sections added to the template's, so concurrent editors rarely share one
LONG_PLAN_SECTIONS = 150
LONG_PLAN_INITIATIVES = 30
NARRATIVE_PLAN_TITLE = "Scale plan (narrative)"
NARRATIVE_PLAN_SECTIONS = 20  # with cover, contents and appendices: a PDF of about 50 pages, mostly text
NARRATIVE_PLAN_INITIATIVES = 5
PLAN_INITIATIVES = 60
PARAGRAPH = (
    "The Office of the Chief Information Officer will consolidate agency data centres into the State's two "
    "shared facilities, retire unsupported platforms and move eligible workloads to approved cloud services, "
    "measuring each step against the service levels residents and agencies rely on. "
) * 4
_CRITERIA = (
    ("Strategic alignment", 30, "How directly it serves the plan's goals and objectives."),
    ("Value to residents", 25, "What residents and agencies gain, and how soon."),
    ("Delivery risk", 20, "Whether the office can deliver it with the people and suppliers it has."),
    ("Cost and funding", 15, "Whether the whole-life cost is known and funded."),
    ("Reuse of shared services", 10, "Whether it reuses the State's shared platforms instead of building new."),
)
_LEVELS = ("Poor", "Weak", "Adequate", "Good", "Excellent")


@dataclass(frozen=True)
class ScaleGovernance:
    plan: Plan
    board: Board
    reviews: list[Review]
    members: list[User]


def member_email(slug: str, number: int) -> str:
    """The sign-in of board member ``number`` (1-based) of the organization ``slug``."""
    return f"member{number:02d}@{slug}.example"


def load_plan_and_board(
    organization: Organization,
    editor: User,
    password_hash: str,
    *,
    board_members: int = BOARD_MEMBERS,
    open_reviews: int = OPEN_REVIEWS,
) -> ScaleGovernance:
    """The organization's plan, its board with a published rubric, and open reviews to score."""
    admin = _account(
        organization, f"admin@{organization.slug}.example", "Scale Administrator", Role.ADMIN, password_hash
    )
    members = [
        _account(organization, member_email(organization.slug, k), f"Board Member {k:02d}", Role.EDITOR, password_hash)
        for k in range(1, board_members + 1)
    ]
    plan = _plan(organization, editor, SCALE_PLAN_TITLE, initiatives=PLAN_INITIATIVES)
    for n in range(1, PROGRAMME_SECTIONS + 1):
        _written_section(plan, editor, f"Programme area {n}", workstreams=1)
    board = _board(organization, admin, members)
    if members:
        submit_plan(plan, user=editor, board=board, note="Version 1 for the board's review.")
    submittable = _submittable(organization, open_reviews) if members else []  # a board without members refuses
    reviews = [_submit(initiative, editor, board) for initiative in submittable]
    return ScaleGovernance(plan=plan, board=board, reviews=reviews, members=members)


def load_long_plan(organization: Organization, editor: User, *, sections: int = LONG_PLAN_SECTIONS) -> Plan:
    """``LONG_PLAN_TITLE``: the template's sections plus ``sections`` sections of four "## Workstream N"
    paragraphs each (150 give a PDF of about 340 pages); it covers only a few initiatives."""
    plan = _plan(organization, editor, LONG_PLAN_TITLE, initiatives=LONG_PLAN_INITIATIVES)
    for n in range(1, sections + 1):
        _written_section(plan, editor, f"Programme {n}", workstreams=4)
    return plan


def load_narrative_plan(organization: Organization, editor: User, *, sections: int = NARRATIVE_PLAN_SECTIONS) -> Plan:
    """``NARRATIVE_PLAN_TITLE``: a plan that is mostly text (the PDF benchmark's other 50-page case beside the
    table-dense demo plan): the template's sections removed, ``sections`` written sections of four workstreams
    each, and a handful of initiatives, so the appendices stay short."""
    plan = _plan(organization, editor, NARRATIVE_PLAN_TITLE, initiatives=NARRATIVE_PLAN_INITIATIVES)
    for section in list(plan.sections):
        plan_services.remove_section(section, user=editor)
    for n in range(1, sections + 1):
        _written_section(plan, editor, f"Programme {n}", workstreams=4)
    return plan


def _account(organization: Organization, email: str, name: str, role: Role, password_hash: str) -> User:
    user = User(email=email, name=name, password_hash=password_hash)
    user.memberships.append(Membership(organization=organization, role=role.value))
    db.session.add(user)
    db.session.flush()
    return user


def _plan(organization: Organization, editor: User, title: str, *, initiatives: int) -> Plan:
    """A plan from the template covering the organization's first ``initiatives`` initiatives (a real plan
    covers dozens, not the whole portfolio: with all of them its PDF would run to hundreds of pages)."""
    template = get_template(current_app.config["PLAN_TEMPLATE_DIR"], TEMPLATE_KEY)
    if template is None:
        raise RuntimeError(f"The plan template {TEMPLATE_KEY!r} is missing from PLAN_TEMPLATE_DIR.")
    plan = plan_services.create_plan(
        organization=organization,
        owner=editor,
        title=title,
        first_fiscal_year=2027,
        last_fiscal_year=2030,
        template=template,
    )
    chosen = db.session.scalars(
        db.select(Initiative.id)
        .where(Initiative.organization_id == organization.id, Initiative.deleted_at.is_(None))
        .order_by(Initiative.id)
        .limit(initiatives)
    ).all()
    set_scope(plan, user=editor, objective_ids=[], initiative_ids=chosen)
    return plan


def _written_section(plan: Plan, editor: User, title: str, *, workstreams: int) -> None:
    section = plan_services.add_section(plan, user=editor, title=title, guidance="")
    body = "\n\n".join(f"## Workstream {k}\n\n{PARAGRAPH}" for k in range(1, workstreams + 1))
    plan_services.save_section(
        section, user=editor, title=section.title, body=body, base_version=section.version, ready=True
    )


def _board(organization: Organization, admin: User, members: list[User]) -> Board:
    board = board_services.create_board(
        organization=organization,
        user=admin,
        fields=board_services.BoardFields(
            name=BOARD_NAME,
            terms_of_reference="Reviews proposed IT investments and the IT strategic plan.",
            reviews_plans=True,
        ),
    )
    for position, member in enumerate(members):
        role = "chair" if position == 0 else "secretary" if position == 1 else "member"
        board_services.add_member(board, user=admin, member=member, role=role)
    criteria = [
        board_services.CriterionFields(
            name=name,
            weight=weight,
            description=description,
            descriptors=tuple(f"{level}: {description.lower()}" for level in _LEVELS),
        )
        for name, weight, description in _CRITERIA
    ]
    board_services.save_rubric(board, user=admin, criteria=criteria, note="")
    return board


def _submittable(organization: Organization, count: int) -> list[Initiative]:
    """Proposed or deferred initiatives linked to an objective (their costs come with the scale data)."""
    return list(
        db.session.scalars(
            db.select(Initiative)
            .where(
                Initiative.organization_id == organization.id,
                Initiative.status.in_((InitiativeStatus.PROPOSED.value, InitiativeStatus.DEFERRED.value)),
                Initiative.objective_links.any(),
            )
            .order_by(Initiative.id)
            .limit(count)
        )
    )


def _submit(initiative: Initiative, editor: User, board: Board) -> Review:
    topic = initiative.title.lower()
    review_services.save_business_case(
        initiative,
        user=editor,
        fields=review_services.CaseFields(
            problem=f"The current {topic} system is out of support and costs more every year to keep running.",
            options_considered="1. Do nothing.\n2. Extend the current contract.\n3. Move to the shared service.",
            recommended_option="Move to the shared service: the lowest whole-life cost and the least delivery risk.",
            benefits="Residents complete the service online; agencies stop paying for separate systems.",
            alignment_rationale="Delivers the linked objectives of the IT strategic plan directly.",
        ),
    )
    return review_services.submit_initiative(initiative, user=editor, board=board)
