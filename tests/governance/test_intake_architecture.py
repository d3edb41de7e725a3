"""The board sees an initiative's architecture answers on the review page, exceptions flagged in words."""

from __future__ import annotations

from app.architecture import services as architecture_services
from app.extensions import db
from tests.architecture.factories import create_principle, create_service, tie
from tests.governance.factories import create_review
from tests.plans.html import parse, squash


def test_the_review_page_flags_an_exception_to_a_principle_for_the_board(
    org, board, initiative, editor, members, signed_in
):
    cloud = create_principle(org=org, user=editor, title="Cloud smart", position=1)
    reuse = create_principle(org=org, user=editor, title="Reuse before buy before build", position=2)
    identity = create_service(org=org, user=editor, name="Identity Hub (SSO/MFA)")
    tie(initiative, identity, user=editor)
    architecture_services.answer_principle(
        initiative,
        user=editor,
        principle=cloud,
        answer="exception",
        justification="Court records must stay in the state data center until the statute changes.",
    )
    db.session.commit()
    review = create_review(board=board, initiative=initiative, submitted_by=editor)

    page = squash(parse(signed_in(members[0]).get(f"/reviews/{review.id}").get_data(as_text=True)).text)

    assert "1 exception to architecture principles" in page
    assert "Court records must stay in the state data center" in page
    assert "Reuses: Identity Hub (SSO/MFA)" in page
    assert f"Unanswered principles (1): {reuse.title}" in page
