"""Helpers shared by the plan tests."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.extensions import db
from app.plans.models import Plan, PlanSection


def fresh(model: type, object_id: int):  # type: ignore[no-untyped-def]
    """The row as the database holds it now (each request commits in its own session)."""
    db.session.expire_all()
    return db.session.get(model, object_id)


def sections_of(plan: Plan) -> list[PlanSection]:
    """The plan's sections that are not removed, in plan order."""
    return [s for s in fresh(Plan, plan.id).sections if not s.is_deleted]


def section_url(section: PlanSection, suffix: str = "") -> str:
    return f"/plans/{section.plan_id}/sections/{section.id}{suffix}"


def save(
    client: FlaskClient,
    section: PlanSection,
    *,
    body: str,
    title: str | None = None,
    version: int | None = None,
    ready: bool = False,
    **extra: str,
) -> TestResponse:
    """Submit the edit form as a browser would (Save button)."""
    current = fresh(PlanSection, section.id)
    data = {
        "title": current.title if title is None else title,
        "body": body,
        "version": str(current.version if version is None else version),
        "save": "1",
        **extra,
    }
    if ready:
        data["ready"] = "y"
    return client.post(section_url(current, "/edit"), data=data)
