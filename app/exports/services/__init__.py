"""Export services: request a plan PDF or board pack (reusing an identical one), follow its render, record
downloads, and render both PDFs of an adopted version at once.

Services flush and audit; views and the CLI commit. Rendering itself happens in app/exports/pdf/jobs.py, off
the web request's thread.
"""

from app.exports.services import adoption
from app.exports.services.adoption import render_on_adoption
from app.exports.services.common import ExportError, Requested, TooManyRequests
from app.exports.services.requests import (
    DEFAULT_RATE_PER_MINUTE,
    RATE_WINDOW,
    find_version,
    plan_data,
    request_board_pack,
    request_plan_pdf,
)
from app.exports.services.tracking import (
    GRACE_SECONDS,
    dispatch,
    file_path,
    job_key,
    meeting_exports,
    plan_exports,
    queue_render,
    record_download,
    refresh,
    start_job,
)

__all__ = [
    "DEFAULT_RATE_PER_MINUTE",
    "GRACE_SECONDS",
    "RATE_WINDOW",
    "ExportError",
    "Requested",
    "TooManyRequests",
    "adoption",
    "dispatch",
    "file_path",
    "find_version",
    "job_key",
    "meeting_exports",
    "plan_data",
    "plan_exports",
    "queue_render",
    "record_download",
    "refresh",
    "render_on_adoption",
    "request_board_pack",
    "request_plan_pdf",
    "start_job",
]
