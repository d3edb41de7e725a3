"""Helpers shared by the portfolio tests."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func

from app.audit.models import AuditEvent
from app.extensions import db
from app.portfolio.models import Initiative
from tests.plans.html import Element, main_content, parse, squash


def fresh(model: type, object_id: int) -> Any:
    """The row as the database holds it now (each request commits in its own session)."""
    db.session.expire_all()
    return db.session.get(model, object_id)


def initiative_form(**overrides: str) -> dict[str, str]:
    """What a browser sends from a filled-in initiative form."""
    return {
        "code": "INI-0100",
        "title": "Digital permits for small businesses",
        "summary": "Apply for and renew **every** permit online.",
        "problem": "Applicants queue at four counters.",
        "citizen_outcome": "A permit in days, not months.",
        "category": "transform",
        "initiative_type": "project",
        "owner": "Permits programme lead",
        "sponsor": "Deputy CIO",
        "start_date": "2026-07-01",
        "end_date": "2028-06-30",
        "funding_source": "Capital bond",
        **overrides,
    }


def error_messages(html: str) -> list[str]:
    """The messages listed in the page's error summary."""
    summary = parse(html).find("div", class_="usa-alert usa-alert--error margin-y-3")
    return [squash(item.text) for item in summary.find_all("li")]


def page_text(html: str) -> str:
    return squash(main_content(html).text)


def field_value(html: str, element_id: str) -> str:
    element: Element = parse(html).by_id(element_id)
    return element.text.strip() if element.tag == "textarea" else element.attrs.get("value") or ""


def initiative_count() -> int:
    return db.session.scalar(db.select(func.count()).select_from(Initiative)) or 0


def events_since(last_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)))


def last_event_id() -> int:
    return db.session.scalar(db.select(func.max(AuditEvent.id))) or 0


def changes_of(event: AuditEvent) -> dict[str, Any]:
    return json.loads(event.changes)  # type: ignore[no-any-return]


def table_rows(table: Element) -> list[list[str]]:
    """The text of each body row's cells."""
    body = table.find("tbody")
    return [[squash(cell.text) for cell in row.find_all() if cell.tag in ("th", "td")] for row in body.find_all("tr")]
