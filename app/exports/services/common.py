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
    """An export and, when it is rendered (not reused), its job. The job was started in the transaction that
    made the export (``started``), unless the caller asked to start it itself (``dispatch``)."""

    export: Export
    job: jobs.RenderJob | None = None
    started: bool = False

    @property
    def not_queued(self) -> bool:
        """The queue refused the job: the export was recorded as failed at once (never reused)."""
        return self.job is not None and self.export.error == jobs.NOT_QUEUED

    @property
    def reused(self) -> bool:
        return self.job is None
