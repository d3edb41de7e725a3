"""Boards and their decisions, read only: what was decided, by whom, when and why (corrections included)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response
from sqlalchemy.orm import joinedload

from app.api.problems import ApiProblem
from app.api.registry import operation
from app.api.resources.common import json_response, load, organization_id, paged
from app.api.schemas import BoardOut, BoardPage, DecisionOut, DecisionPage, PageQuery
from app.api.validation import parse_query
from app.extensions import db
from app.governance.models import Board, Decision, Review
from app.governance.services import decisions as decision_services


def _board_out(board: Board) -> BoardOut:
    return BoardOut(
        id=board.id, name=board.name, reviews_plans=board.reviews_plans, archived=board.archived_at is not None
    )


def decisions_out(decisions: Sequence[Decision]) -> list[DecisionOut]:
    later = decision_services.superseding([d.id for d in decisions])
    items = []
    for decision in decisions:
        review = decision.review
        version = review.plan_version
        items.append(
            DecisionOut(
                id=decision.id,
                board_id=decision.board_id,
                board=decision.board.name,
                review_id=review.id,
                subject_kind=review.kind,
                initiative_id=review.initiative_id,
                initiative_code=review.initiative.code if review.initiative else None,
                plan_id=version.plan_id if version else None,
                plan_version=version.number if version else None,
                outcome=decision.outcome,
                rationale=decision.rationale,
                conditions=decision.conditions,
                weighted_score=decision.weighted_score,
                scored_by=decision.scored_by,
                decided_by=decision.decided_by.name,
                decided_at=decision.decided_at,
                supersedes_id=decision.supersedes_id,
                superseded_by_id=later.get(decision.id),
            )
        )
    return items


def _decisions():  # type: ignore[no-untyped-def]
    return db.select(Decision).options(
        joinedload(Decision.board),
        joinedload(Decision.decided_by),
        joinedload(Decision.review).joinedload(Review.initiative),
        joinedload(Decision.review).joinedload(Review.plan_version),
    )


@operation("/boards", summary="List boards", tag="Governance", response=BoardPage, query=PageQuery, paged=True)
def list_boards() -> Response:
    """The organization's governance boards, by name (archived ones too)."""
    query = parse_query(PageQuery)
    select = db.select(Board).where(Board.organization_id == organization_id()).order_by(Board.name, Board.id)
    return paged(select, query, BoardPage, lambda boards: [_board_out(b) for b in boards])


@operation("/boards/<int:board_id>", summary="One board", tag="Governance", response=BoardOut)
def get_board(board_id: int) -> Response:
    return json_response(_board_out(load(Board, board_id)))


@operation(
    "/boards/<int:board_id>/decisions",
    summary="A board's decisions",
    tag="Governance",
    response=DecisionPage,
    query=PageQuery,
    paged=True,
)
def list_board_decisions(board_id: int) -> Response:
    """The board's decisions, newest first. A corrected decision names the one that superseded it."""
    board = load(Board, board_id)
    query = parse_query(PageQuery)
    select = _decisions().where(Decision.board_id == board.id).order_by(Decision.decided_at.desc(), Decision.id.desc())
    return paged(select, query, DecisionPage, decisions_out)


@operation("/decisions/<int:decision_id>", summary="One decision", tag="Governance", response=DecisionOut)
def get_decision(decision_id: int) -> Response:
    decision = db.session.scalar(_decisions().where(Decision.id == decision_id))
    if decision is None or decision.organization_id != organization_id():
        raise ApiProblem(404)
    return json_response(decisions_out([decision])[0])
