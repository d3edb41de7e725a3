"""Read and import a StratML file in one go, for the upload page and the command line."""

from __future__ import annotations

from flask import current_app

from app.auth.models import Organization, User
from app.stratml.importer import DEFAULT_MAX_SECONDS, ImportOutcome, import_plan
from app.stratml.reader import DEFAULT_MAX_ELEMENTS, ReadResult, read

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return int(current_app.config.get("STRATML_MAX_BYTES", DEFAULT_MAX_BYTES))


def read_file(data: bytes) -> ReadResult:
    """Parse, check and map ``data`` without touching the database (``UnreadableFile`` when it cannot be imported):
    the slow part of an import, done before the import's transaction begins."""
    limit = int(current_app.config.get("STRATML_MAX_ELEMENTS", DEFAULT_MAX_ELEMENTS))
    return read(data, max_bytes=max_bytes(), max_elements=limit)


def create_plan_from(result: ReadResult, *, filename: str, organization: Organization, user: User) -> ImportOutcome:
    """Create the new draft plan of a read file, within STRATML_MAX_SECONDS (flushes and audits; caller commits)."""
    seconds = float(current_app.config.get("STRATML_MAX_SECONDS", DEFAULT_MAX_SECONDS))
    return import_plan(result, organization=organization, user=user, filename=filename, max_seconds=seconds)


def import_file(data: bytes, *, filename: str, organization: Organization, user: User) -> ImportOutcome:
    """Read ``data`` (``UnreadableFile`` before anything is written) and create the new draft plan.

    Flushes and audits; the caller commits, or rolls back on any error so that nothing is kept.
    """
    return create_plan_from(read_file(data), filename=filename, organization=organization, user=user)
