"""Export records: one rendered file (a plan PDF, a board pack, an archival copy) of one snapshot."""

from __future__ import annotations

import base64
import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import utcnow
from app.extensions import Model
from app.governance.models import Meeting
from app.plans.models import Plan


class ExportKind(enum.StrEnum):
    PLAN_PDF = "plan_pdf"
    BOARD_PACK = "board_pack"
    ARCHIVE = "archive"  # PDF/A-3b with the plan's data attached

    @property
    def label(self) -> str:
        return {"plan_pdf": "Plan PDF", "board_pack": "Board pack", "archive": "Archival PDF/A"}[self.value]


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    RENDERING = "rendering"
    READY = "ready"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def finished(self) -> bool:
        return self in (ExportStatus.READY, ExportStatus.FAILED)


def _values(enum_class: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum_class)


class Export(Model):
    """A request for a rendered file and, once ready, the file: stored under EXPORT_DIR as ``<sha256>.pdf``.

    ``snapshot_hash`` is the SHA-256 of the print HTML and the template version: a later request with the
    same hash reuses a ready export instead of rendering again. ``fingerprint`` is a cheap stand-in computed
    before any HTML is built (app/exports/fingerprint.py): a request with the same fingerprint is answered
    from this export at once; on a miss the HTML is built and matched by ``snapshot_hash``.
    """

    __tablename__ = "export"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(ExportKind)})", name="kind_valid"),
        CheckConstraint(f"status IN ({_values(ExportStatus)})", name="status_valid"),
        Index("ix_export_snapshot", "organization_id", "snapshot_hash", "status"),
        Index("ix_export_plan_created", "plan_id", "created_at"),
        Index("ix_export_fingerprint", "organization_id", "fingerprint"),
        Index("ix_export_meeting_created", "meeting_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    version_number: Mapped[int | None]  # None: the current draft
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12), default=ExportKind.PLAN_PDF.value)
    status: Mapped[str] = mapped_column(String(10), default=ExportStatus.QUEUED.value)
    error: Mapped[str] = mapped_column(Text, default="")
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    one_pagers: Mapped[bool] = mapped_column(default=False, server_default=false())  # one page per initiative
    template_version: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(200))  # the server-made download name
    sha256: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None]
    pages: Mapped[int | None]
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None]
    # Where the render job was queued (app/exports/pdf/jobs.py JobRef): the job-state reader asks that queue.
    job_ref: Mapped[str | None] = mapped_column(String(200))

    plan: Mapped[Plan | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def status_enum(self) -> ExportStatus:
        return ExportStatus(self.status)

    @property
    def kind_enum(self) -> ExportKind:
        return ExportKind(self.kind)

    @property
    def version_label(self) -> str:
        return f"Version {self.version_number}" if self.version_number else "Current draft"

    @property
    def stored_name(self) -> str | None:
        return f"{self.sha256}.pdf" if self.sha256 else None

    def can_view(self, user: User) -> bool:
        if self.plan is not None:
            return self.plan.organization_id == self.organization_id and self.plan.can_view(user)
        if self.meeting is not None:
            return self.meeting.organization_id == self.organization_id and can_see_board_pack(self.meeting, user)
        return user.is_member_of(self.organization_id)


def can_see_board_pack(meeting: Meeting, user: User) -> bool:
    """A board pack carries members' scores and the business cases: the board's members and the organization's
    administrators may have it; nobody else (other organizations get a 404 before this is asked)."""
    if not user.is_member_of(meeting.organization_id):
        return False
    return user.is_admin_of(meeting.organization_id) or meeting.board.member(user) is not None


LOGO_TYPES = ("image/png", "image/svg+xml")


class OrganizationLogo(Model):
    """The organization's logo for PDF covers: a checked PNG or a sanitised SVG (app/exports/logo.py)."""

    __tablename__ = "organization_logo"
    __table_args__ = (CheckConstraint("content_type IN ('image/png', 'image/svg+xml')", name="content_type_valid"),)

    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(20))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def data_uri(self) -> str:
        return f"data:{self.content_type};base64,{base64.b64encode(self.content).decode()}"
