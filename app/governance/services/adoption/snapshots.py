"""Snapshots of a version or of the current draft, as the compare page needs them."""

from __future__ import annotations

from dataclasses import dataclass

from app.governance.models import PlanVersion
from app.plans.models import Plan


@dataclass(frozen=True)
class SnapshotSection:
    key: str
    title: str
    body: str


@dataclass(frozen=True)
class Snapshot:
    """A version, or the current draft, as the compare page needs it."""

    label: str
    title: str
    period: str
    sections: tuple[SnapshotSection, ...]


def snapshot_of_version(version: PlanVersion) -> Snapshot:
    return Snapshot(
        label=f"Version {version.number}",
        title=version.title,
        period=version.period_label,
        sections=tuple(SnapshotSection(s.key, s.title, s.body) for s in version.sections),
    )


def snapshot_of_draft(plan: Plan) -> Snapshot:
    visible = (s for s in plan.sections if not s.is_deleted)
    return Snapshot(
        label="Current draft",
        title=plan.title,
        period=plan.period_label,
        sections=tuple(SnapshotSection(s.key, s.title, s.body) for s in visible),
    )
