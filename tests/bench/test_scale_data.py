"""The scale data set has what the load test and the PDF benchmark use: a plan with a frozen version 1, a
board with members, a published rubric and open reviews to score, and the first office's long plan."""

from sqlalchemy import func

from app.audit.services import verify_all_chains
from app.auth.models import Organization
from app.demo.scale import (
    BOARD_MEMBERS,
    LONG_PLAN_TITLE,
    NARRATIVE_PLAN_TITLE,
    SCALE_PASSWORD,
    SCALE_PLAN_TITLE,
    load_scale,
    member_email,
)
from app.extensions import db
from app.governance.models import Board, PlanVersion, Review, ScoreSheet
from app.plans.models import Plan
from app.portfolio.models import PlanInitiative
from tests.conftest import csrf_token_from
from tests.factories import login


def _plans(title: str) -> list[Plan]:
    return list(db.session.scalars(db.select(Plan).where(Plan.title == title).order_by(Plan.id)))


def _open_initiative_reviews(organization: Organization) -> list[Review]:
    return list(
        db.session.scalars(
            db.select(Review).where(
                Review.organization_id == organization.id,
                Review.initiative_id.is_not(None),
                Review.status == "open",
            )
        )
    )


def test_each_office_gets_a_plan_in_review_a_board_and_open_reviews_to_score(app, client):
    offices = load_scale(orgs=2, initiatives=40, long_plan_sections=0)
    db.session.commit()
    plans = _plans(SCALE_PLAN_TITLE)
    assert [p.organization_id for p in plans] == [o.id for o in offices]
    for organization, plan in zip(offices, plans, strict=True):
        sections = [s for s in plan.sections if not s.is_deleted]
        assert sum(s.title.startswith("Programme area") for s in sections) == 15
        assert all(s.body.strip() for s in sections if s.title.startswith("Programme area"))
        version = db.session.scalar(db.select(PlanVersion).where(PlanVersion.plan_id == plan.id))
        assert version is not None and version.number == 1  # what the load test's export asks for
        board = db.session.scalar(db.select(Board).where(Board.organization_id == organization.id))
        assert board is not None and len(board.members) == BOARD_MEMBERS
        assert board.current_rubric is not None and sum(c.weight for c in board.current_rubric.criteria) == 100
        reviews = _open_initiative_reviews(organization)
        assert reviews and not any(r.sheets for r in reviews)  # score sheets still to fill
    assert _plans(LONG_PLAN_TITLE) == [] and _plans(NARRATIVE_PLAN_TITLE) == []
    _, problems = verify_all_chains()
    assert problems == []

    # A board member signs in with the published password and saves draft scores, as the load test does.
    review = _open_initiative_reviews(offices[1])[0]
    assert login(client, member_email(offices[1].slug, 3), SCALE_PASSWORD).status_code == 302
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    scores = {f"score-{c.id}": "4" for c in review.rubric.criteria}
    saved = client.post(
        f"/reviews/{review.id}/scores", data={"csrf_token": csrf_token_from(page), "action": "draft", **scores}
    )
    assert saved.status_code == 302
    sheet = db.session.scalar(db.select(ScoreSheet).where(ScoreSheet.review_id == review.id))
    assert sheet is not None and sheet.submitted_at is None and len(sheet.scores) == len(scores)


def test_only_the_first_office_gets_the_long_plan_of_workstream_sections_with_a_short_roadmap(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "scale", "--orgs", "2", "--initiatives", "40", "--long-plan-sections", "3"])
    assert result.exit_code == 0, result.output
    assert "member01@<slug>.example" in result.output
    [long_plan] = _plans(LONG_PLAN_TITLE)
    first = db.session.scalar(db.select(Organization).where(Organization.slug == "scale-1"))
    assert first is not None and long_plan.organization_id == first.id
    programmes = [s for s in long_plan.sections if s.title.startswith("Programme ")]
    assert len(programmes) == 3
    assert all(s.body.count("## Workstream ") == 4 and len(s.body) > 4000 for s in programmes)
    covered = db.session.scalar(
        db.select(func.count()).select_from(PlanInitiative).where(PlanInitiative.plan_id == long_plan.id)
    )
    assert covered == 30  # of 40: the long plan's roadmap stays short, its length comes from its text
    again = runner.invoke(args=["seed", "scale", "--orgs", "1", "--initiatives", "5", "--long-plan-sections", "3"])
    assert again.exit_code == 0, again.output
    assert len(_plans(LONG_PLAN_TITLE)) == 1  # one long plan in the data set, however often it is loaded


def test_the_first_office_also_gets_a_narrative_plan_of_written_sections_and_few_initiatives(app):
    result = app.test_cli_runner().invoke(args=["seed", "scale", "--orgs", "1", "--initiatives", "40"])
    assert result.exit_code == 0, result.output
    [narrative] = _plans(NARRATIVE_PLAN_TITLE)
    live = [s for s in narrative.sections if not s.is_deleted]
    assert [s.title for s in live] == [f"Programme {n}" for n in range(1, 21)]
    assert all(s.body.count("## Workstream ") == 4 for s in live)
    covered = db.session.scalar(
        db.select(func.count()).select_from(PlanInitiative).where(PlanInitiative.plan_id == narrative.id)
    )
    assert covered == 5
