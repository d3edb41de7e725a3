"""Read and import a StratML file in one go, for the upload page and the command line."""

from __future__ import annotations

from flask import current_app

from app.auth.models import Organization, User
from app.stratml.importer import ImportOutcome, import_plan
from app.stratml.reader import read

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return int(current_app.config.get("STRATML_MAX_BYTES", DEFAULT_MAX_BYTES))


def import_file(data: bytes, *, filename: str, organization: Organization, user: User) -> ImportOutcome:
    """Read ``data`` (``UnreadableFile`` before anything is written) and create the new draft plan.

    Flushes and audits; the caller commits, or rolls back on any error so that nothing is kept.
    """
    result = read(data, max_bytes=max_bytes())
    return import_plan(result, organization=organization, user=user, filename=filename)
