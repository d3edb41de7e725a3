"""One weighted score: the ranking, the review's score summary and a decision show the same figure."""

from __future__ import annotations

from decimal import Decimal

from app.governance.services import ranking
from app.governance.services.scoring import summaries_for
from tests.governance.factories import create_review, give_scores, recuse
from tests.portfolio.factories import create_initiative

FY = 2027


def test_the_ranking_the_summary_and_the_decision_agree(org, editor, board, chair, secretary, members):  # type: ignore[no-untyped-def]
    thirds = create_review(
        board=board, initiative=create_initiative(org=org, user=editor, code="INI-A"), submitted_by=editor
    )
    give_scores(thirds, chair, [5, 4, 3, 2, 1])  # 3.50
    give_scores(thirds, secretary, [3, 4, 5, 2, 1])  # 3.30
    give_scores(thirds, members[0], [4, 4, 4, 4, 3])  # 3.90; the mean 3.566… rounds to 3.57
    give_scores(thirds, members[1], [1, 1, 1, 1, 1], submitted=False)  # a draft never counts
    recuse(thirds, members[2])
    halfway = create_review(
        board=board, initiative=create_initiative(org=org, user=editor, code="INI-B"), submitted_by=editor
    )
    give_scores(halfway, chair, [4, 5, 4, 4, 4])  # 4.25
    give_scores(halfway, secretary, [4, 4, 4, 4, 4])  # 4.00; the mean 4.125 rounds half up to 4.13
    summaries = summaries_for([thirds.id, halfway.id])
    figures = {
        item.code: (item.score, summaries[item.review_id].weighted_score, ranking.weighted_score(review))
        for item, review in zip(ranking.rank_board(board, FY).ranked, (halfway, thirds), strict=True)
    }
    assert figures == {"INI-B": (Decimal("4.13"),) * 3, "INI-A": (Decimal("3.57"),) * 3}
