"""Governance pages: a board's ranking within the money, the funding line, the envelope and the sensitivity view.

Every member of the organization reads the ranking; the board's chair or secretary, or an administrator, sets
the envelope. ``?fy=`` picks the fiscal year, ``?envelope=`` previews another amount (without saving) and
``?compare=`` shows who moves across the line against another amount (set after saving to the previous one).
"""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.db import utcnow
from app.core.errors import PermissionDenied, ensure
from app.core.fiscal import fiscal_year
from app.extensions import db
from app.governance.forms.ranking import EnvelopeForm
from app.governance.models import Board
from app.governance.services import ranking as service
from app.governance.views import bp
from app.portfolio.money import MoneyError, format_money, parse_money, plain_money


def _load_board(board_id: int) -> Board:
    board = db.session.get(Board, board_id)
    ensure(board is not None and board.can_view(current_user))
    return board  # type: ignore[return-value]


def _amount_arg(name: str) -> Decimal | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return parse_money(raw)
    except MoneyError:
        return None


def _year(board: Board) -> int:
    year = request.args.get("fy", type=int)
    if year is not None and 2000 <= year <= 2100:
        return year
    return fiscal_year(utcnow().date(), board.organization.fiscal_year_start_month)


def _page(board: Board, year: int, form: EnvelopeForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    preview = _amount_arg("envelope")
    compare = _amount_arg("compare")
    saved = service.envelope_for(board, year)
    saved_amount = saved.amount if saved is not None else None
    ranking = service.rank_board(
        board, year, envelope=preview if preview is not None else saved_amount, use_saved=False
    )
    baseline = compare if compare is not None else (saved_amount if preview is not None else None)
    moves = service.line_moves(ranking, baseline) if (preview is not None or compare is not None) else None
    rubric = board.current_rubric
    criteria = [(c.name, c.weight) for c in rubric.criteria] if rubric else []
    can_set = service.can_set_envelope(board, current_user)
    if form is None and can_set:
        form = EnvelopeForm(
            formdata=None,
            fiscal_year=year,
            amount=saved_amount,
            seen=plain_money(saved_amount) if saved_amount is not None else "",
        )
    return render_template(
        "governance/ranking/show.html",
        board=board,
        year=year,
        ranking=ranking,
        saved_amount=saved_amount,
        preview=preview,
        baseline=baseline,
        moves=moves,
        sensitivity=service.sensitivity(ranking, criteria) if ranking.ranked else [],
        envelopes=service.envelopes_of(board),
        years=range(year - 2, year + 4),
        form=form,
        money=format_money,
    ), status


@bp.get("/boards/<int:board_id>/ranking")
def show_ranking(board_id: int):  # type: ignore[no-untyped-def]
    board = _load_board(board_id)
    return _page(board, _year(board))


@bp.post("/boards/<int:board_id>/ranking/envelope")
def set_envelope(board_id: int):  # type: ignore[no-untyped-def]
    board = _load_board(board_id)
    if not service.can_set_envelope(board, current_user):
        abort(403)
    form = EnvelopeForm()
    if not form.validate():
        typed = form.fiscal_year.data  # re-show the typed year only when it can be one (else the query's year)
        return _page(board, typed if typed is not None and 2000 <= typed <= 2100 else _year(board), form, 422)
    year = form.fiscal_year.data
    assert year is not None and form.amount.data is not None  # noqa: S101 - validated above
    try:
        previous, changed = service.set_envelope(
            board, user=current_user, fiscal_year=year, amount=form.amount.data, seen=form.seen_amount()
        )
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except service.EnvelopeConflict as conflict:
        db.session.rollback()
        form.amount.errors = [str(conflict)]
        form.seen.data = plain_money(conflict.current) if conflict.current is not None else ""
        return _page(_load_board(board_id), year, form, 409)
    db.session.commit()
    if not changed:
        flash("The envelope was already that amount, so nothing changed.", "info")
        return redirect(url_for("governance.show_ranking", board_id=board.id, fy=year))
    flash(f"The FY{year} envelope of {board.name} is now {format_money(form.amount.data)}.", "success")
    compare = plain_money(previous) if previous is not None else "0"
    return redirect(url_for("governance.show_ranking", board_id=board.id, fy=year, compare=compare, _anchor="moves"))
