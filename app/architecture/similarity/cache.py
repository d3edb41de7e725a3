"""The per-process cache of family indexes and how it stays fresh: signatures, catching up, rebuilding."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import or_

from app.architecture.models import InitiativeService
from app.architecture.similarity.index import FamilyIndex
from app.auth.models import Organization
from app.extensions import db
from app.portfolio.models import Initiative

CACHE_SIZE = 32
_cache: OrderedDict[tuple[tuple[int, str], ...], FamilyIndex] = OrderedDict()
_lock = threading.Lock()
_INITIATIVE_PARTS = 6  # the signature's first parts are about initiatives, the rest about ties
CATCH_UP_WINDOW = timedelta(seconds=5)  # also re-read rows changed this long before the last change seen


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _signature(family_ids: Sequence[int]) -> tuple[Any, ...]:
    """What changes when any initiative of the family or any of its service ties changes: one statement.

    Initiatives: count, deleted count, Σ version, Σ id, latest id, latest change. Σ version moves on every
    update, even one committed late with an older ``updated_at`` by another process. Ties: count, Σ id,
    Σ service id, latest change (a deleted tie replaced under the same id, as SQLite allows, still shows).
    """
    in_family = Initiative.organization_id.in_(family_ids)
    func = db.func
    initiatives = db.select(
        func.count(Initiative.id),
        func.count(Initiative.deleted_at),
        func.sum(Initiative.version),
        func.sum(Initiative.id),
        func.max(Initiative.id),
        func.max(Initiative.updated_at),
    ).where(in_family)
    ties = (
        db.select(
            func.count(InitiativeService.id),
            func.sum(InitiativeService.id),
            func.sum(InitiativeService.service_id),
            func.max(InitiativeService.updated_at),
        )
        .join(Initiative, Initiative.id == InitiativeService.initiative_id)
        .where(in_family)
    )
    first, second = initiatives.subquery(), ties.subquery()
    row = db.session.execute(db.select(*first.c, *second.c).select_from(first.join(second, db.true()))).one()
    return tuple(row)


_ROW = (
    Initiative.id,
    Initiative.organization_id,
    Initiative.code,
    Initiative.title,
    Initiative.status,
    Initiative.summary,
    Initiative.version,
    Initiative.deleted_at.is_(None),
)


def _rows(family_ids: Sequence[int], *where: Any) -> Sequence[Any]:
    """The family's initiatives (deleted ones too, see ``_ROW``), or those matching ``where``: one statement."""
    query = db.select(*_ROW).where(Initiative.organization_id.in_(family_ids), *where)
    return db.session.execute(query.order_by(Initiative.id)).all()


def _ties(family_ids: Sequence[int]) -> list[tuple[int, int, str]]:
    """Every tie of the family's initiatives, deleted ones too (ranking skips them): one statement."""
    rows = db.session.execute(
        db.select(InitiativeService.initiative_id, InitiativeService.service_id, InitiativeService.relation)
        .join(Initiative, Initiative.id == InitiativeService.initiative_id)
        .where(Initiative.organization_id.in_(family_ids))
        .order_by(InitiativeService.id)
    ).all()
    return [(i, s, r) for i, s, r in rows]


def _catch_up_initiatives(index: FamilyIndex, key: tuple[int, ...], signature: tuple[Any, ...]) -> None:
    """Read the initiatives changed since the index's signature (one statement) and take them in.

    Rows changed since shortly before the last change seen, or added since, are read; if the index then
    does not add up to the new signature (a transaction that committed long after it wrote, a row changed
    without its version), every initiative's version is compared (one more statement) and those that
    differ are read (one more).
    """
    _count, _deleted, _versions, _ids, max_id, last_change = index.signature[:_INITIATIVE_PARTS]
    if last_change is None or max_id is None:
        rows = _rows(key)
    else:
        since = Initiative.updated_at >= last_change - CATCH_UP_WINDOW
        rows = _rows(key, or_(since, Initiative.id > max_id))
    changed = [row for row in rows if index.differs(row)]
    if index.needs_rebuild(len(changed)):
        index.build(_rows(key))
        return
    index.apply(changed)
    if not index.consistent(signature):
        versions = db.session.execute(
            db.select(Initiative.id, Initiative.version, Initiative.deleted_at.is_(None)).where(
                Initiative.organization_id.in_(key)
            )
        ).all()
        found = {id_ for id_, _v, _live in versions}
        vanished = index.versions.keys() - found
        stale = [
            id_
            for id_, version, live in versions
            if index.versions.get(id_) != version or (id_ in index.deleted) == bool(live)
        ]
        index.apply(_rows(key, Initiative.id.in_(stale)) if stale else [], vanished)
    if index.needs_rebuild(0):
        index.build(_rows(key))


def _catch_up(index: FamilyIndex, key: tuple[int, ...], signature: tuple[Any, ...]) -> None:
    """Bring ``index`` to ``signature``: re-read only what moved (see the module docstring)."""
    if index.signature[:_INITIATIVE_PARTS] != signature[:_INITIATIVE_PARTS]:
        _catch_up_initiatives(index, key, signature)
    if index.signature[_INITIATIVE_PARTS:] != signature[_INITIATIVE_PARTS:]:
        index.set_ties(_ties(key))
    index.signature = signature


def cache_key(family: Iterable[Organization]) -> tuple[tuple[int, str], ...]:
    """The family's organizations by id and creation time: an id reused by a new organization (SQLite reuses
    ids; a restored backup) is another family, never a continuation of the old one's index."""
    return tuple(sorted((o.id, o.created_at.isoformat() if o.created_at else "") for o in family))


def family_index(family: Iterable[Organization]) -> FamilyIndex:
    """The family's index, brought up to date: one statement when nothing changed.

    Built from scratch (two more statements) the first time in this process; after a change, usually one
    more statement (two when ties changed too) reads only what moved.
    """
    cache = cache_key(family)
    key = tuple(id_ for id_, _created in cache)
    signature = _signature(key)
    with _lock:
        index = _cache.get(cache)
        if index is not None:
            _cache.move_to_end(cache)
    if index is None:
        index = FamilyIndex(signature)
        index.build(_rows(key))
        index.set_ties(_ties(key))
        with _lock:
            _cache[cache] = index
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
        return index
    if index.signature != signature:
        with index.lock:
            if index.signature != signature:
                _catch_up(index, key, signature)
    return index
