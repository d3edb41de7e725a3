"""Table snapshots: row counts and a digest of every row, to tell which tables a request changed."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from app.extensions import db


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(db.func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def content_digest(*, ignore: frozenset[tuple[str, str]] = frozenset()) -> dict[str, str]:
    """A hash of every row of every table, skipping the (table, column) pairs in ``ignore``."""
    digests = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) not in ignore]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
