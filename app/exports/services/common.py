"""What every export service shares: its errors and a request's outcome."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import DomainError
from app.exports.models import Export
from app.exports.pdf import jobs


class ExportError(DomainError):
    """The export cannot be requested; the message says why."""


class TooManyRequests(ExportError):
    """The person asked for more new renders in the last minute than allowed (EXPORT_RATE_PER_MINUTE)."""


@dataclass
class Requested:
    """An export and, when it must be rendered (not reused), its job: hand it to ``dispatch`` after the commit."""

    export: Export
    job: jobs.RenderJob | None = None

    @property
    def reused(self) -> bool:
        return self.job is None
