"""A plan on the public site: one row per published plan, pinned to the adopted version it shows.

Unpublishing deletes the row, so every public URL of the plan answers 404 from that moment on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, User
from app.core.db import utcnow
from app.extensions import Model
from app.governance.models import PlanVersion
from app.plans.models import Plan


class PlanPublication(Model):
    """An administrator's opt-in: ``version`` (an adopted version of ``plan``) is readable by anyone at
    ``/public/plans/<slug>``, with its PDF and open data."""

    __tablename__ = "plan_publication"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id", ondelete="RESTRICT"))
    slug: Mapped[str] = mapped_column(String(80), unique=True)  # server-made: title words and the plan's id
    published_at: Mapped[datetime] = mapped_column(default=utcnow)  # first published
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)  # the shown version last chosen
    published_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    organization: Mapped[Organization] = relationship()
    plan: Mapped[Plan] = relationship()
    version: Mapped[PlanVersion] = relationship()
    published_by: Mapped[User] = relationship()
