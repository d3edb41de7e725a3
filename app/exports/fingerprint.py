"""A cheap fingerprint of everything a plan PDF is made from, computed before any print HTML is built.

Building the print HTML of the demo plan takes about half a second; looking up an export by this fingerprint
takes a few milliseconds, so a repeated request for an unchanged plan is answered at once. The fingerprint
covers every content table of the database (all organizations: a change elsewhere only costs a rebuild of the
HTML, which is then matched by its exact hash, so the PDF is still reused):

- tables with ``version`` (optimistic locking) or ``updated_at``: row count, highest id, sum of versions and
  latest update: any insert, delete or update moves one of them;
- tables without either (child rows such as costs, milestones, risks, scores, decisions, frozen versions):
  a hash of all their rows, read as plain tuples;
- append-only tables whose rows never change (section revisions, frozen version text): count and highest id;
- plus the date (the cover prints it), the template version, the plan, the version and the export options.

Tables that never reach a PDF (sessions, sign-in attempts and settings, API tokens, notifications, the mail
outbox, the audit trail, exports) are left out, so downloading, signing in, using the API or sending mail does
not change the fingerprint.
"""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import Integer, String, Table, func, literal, null, select, text, union_all

from app.extensions import db

IGNORED = frozenset(
    {
        "api_token",
        "audit_chain_head",
        "audit_event",
        "export",
        "form_draft",
        "login_attempt",
        "mail_outbox",
        "mfa_recovery_code",
        "notification",
        "password_reset_token",
        "organization_sign_in",
        "sso_domain_claim",
        "sso_group_role",
        "sso_identity",
        "sso_login_state",
        "user_mfa",
        "user_session",
        "alembic_version",
    }
)
APPEND_ONLY = frozenset({"section_revision", "plan_version_section"})


def _tables() -> tuple[list[Table], list[Table]]:
    """(tables summarised by aggregates, tables hashed row by row), in a fixed order."""
    aggregated, hashed = [], []
    for table in db.metadata.sorted_tables:
        if table.name in IGNORED:
            continue
        columns = set(table.c.keys())
        if table.name in APPEND_ONLY or columns & {"version", "updated_at"}:
            aggregated.append(table)
        else:
            hashed.append(table)
    return aggregated, hashed


def _aggregate(table: Table):  # type: ignore[no-untyped-def]
    columns = table.c
    key = columns["id"] if "id" in columns else next(iter(table.primary_key.columns))
    parts = [
        func.count(),
        func.max(key),
        func.sum(columns["version"]) if "version" in columns else literal(0, Integer),
        func.max(columns["updated_at"]) if "updated_at" in columns else null(),
    ]
    return select(literal(table.name, String).label("name"), *[p.label(f"p{n}") for n, p in enumerate(parts)])


def content_state() -> str:
    """A hash of the whole database's PDF-relevant content (see the module docstring)."""
    aggregated, hashed = _tables()
    digest = hashlib.sha256()
    rows = db.session.execute(union_all(*[_aggregate(t) for t in aggregated])).all()
    for row in sorted(rows, key=lambda r: r[0]):
        digest.update(repr(tuple(row)).encode())
    if db.session.get_bind().dialect.name == "postgresql":
        digest.update(_hashed_in_postgres(hashed).encode())
        return digest.hexdigest()
    for table in hashed:
        digest.update(table.name.encode())
        ordered = select(table).order_by(*table.primary_key.columns)
        for row in db.session.execute(ordered):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _hashed_in_postgres(tables: list[Table]) -> str:
    """PostgreSQL hashes the row-by-row tables itself, in one statement: each table's rows as text, in key
    order (tens of thousands of cost rows take a few milliseconds instead of a quarter of a second in Python)."""
    parts = []
    for table in tables:
        order = ", ".join(f'r."{column.name}"' for column in table.primary_key.columns)
        parts.append(
            f"SELECT '{table.name}' AS name, md5(coalesce(string_agg(r::text, '|' ORDER BY {order}), '')) AS digest "  # noqa: S608 - names from the models
            f'FROM "{table.name}" AS r'
        )
    rows = db.session.execute(text(" UNION ALL ".join(parts))).all()  # names from the models, never from input
    return "".join(f"{name}:{value};" for name, value in sorted(rows))


def export_fingerprint(
    *,
    kind: str,
    today: date,
    plan_id: int | None = None,
    version_number: int | None = None,
    one_pagers: bool = False,
    meeting_id: int | None = None,
) -> str:
    """The fingerprint of one requested export: a plan PDF (``plan_id``) or a board pack (``meeting_id``)."""
    from app.exports.pdf.render import template_version

    head = f"{kind}|{plan_id}|{version_number}|{one_pagers}|{today.isoformat()}|{template_version()}"
    if meeting_id is not None:
        head += f"|meeting {meeting_id}"
    return hashlib.sha256(f"{head}\n{content_state()}".encode()).hexdigest()
