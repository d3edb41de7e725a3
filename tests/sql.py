"""Counting the SQL statements a page runs, for the query-count guards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask.testing import FlaskClient
from sqlalchemy import event

from app.extensions import db

# The test's per-request savepoints are not the page's own statements.
IGNORED = ("SAVEPOINT", "RELEASE", "ROLLBACK TO")


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(IGNORED):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements_for(client: FlaskClient, url: str) -> list[str]:
    """The statements one successful GET of ``url`` runs."""
    with counted_statements() as statements:
        assert client.get(url).status_code == 200
    return statements
