"""The public edition's PDF: built from the same public rows as the page, rendered by the export workers.

It is not the internal plan PDF: that one carries the organization's decision log with rationales, version
notes and live blocks of internal data. This one shows only what the public page shows.

Files are content-addressed: the print HTML's hash (with the print template version) names a folder under
``EXPORT_DIR/public/``; the render job (app/exports/pdf/jobs.py) writes its result there. A page request
builds the HTML, and either finds the PDF ready, or starts one render (an exclusive ``queued`` marker stops a
crowd of visitors from starting more), or reports that it is being prepared. Nothing is stored in the
database, so taking a plan off the public site needs no clean-up for the 404 to hold.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template

from app.exports.models import OrganizationLogo
from app.exports.pdf import jobs
from app.exports.pdf.render import template_version
from app.exports.services import start_job
from app.extensions import db
from app.publication.blocks import render_section
from app.publication.content import PublicPlan

JOB_ID = 1  # one job per content folder
RETRY_FAILED_SECONDS = 600  # a failed render is tried again at most this often


@dataclass(frozen=True)
class PdfState:
    status: str  # ready, preparing or failed
    path: Path | None = None


def print_html(content: PublicPlan) -> str:
    logo = db.session.get(OrganizationLogo, content.publication.organization_id)
    sections = [(s, render_section(content, s.body)) for s in content.sections]
    return render_template(
        "publication/print.html", content=content, sections=sections, logo=logo.data_uri if logo else None
    )


def _folder(html: str) -> Path:
    digest = hashlib.sha256(f"{template_version()}\n{html}".encode()).hexdigest()
    return Path(current_app.config["EXPORT_DIR"]) / "public" / digest[:48]


def pdf_state(content: PublicPlan, *, start: bool = True) -> PdfState:
    """Whether the public PDF of this content is ready; when it is not and ``start``, start its render."""
    html = print_html(content)
    folder = _folder(html)
    result = jobs.read_result(str(folder), JOB_ID)
    if result is not None and result.status == "ready":
        path = folder / f"{result.sha256}.pdf"
        if path.is_file():
            return PdfState("ready", path)
    elif result is not None and _age(folder / "queued") < RETRY_FAILED_SECONDS:
        return PdfState("failed")
    if start and _claim(folder / "queued", stale_after=_stale_seconds(), fresh=result is not None):
        start_job(_job(html, folder))
        done = jobs.read_result(str(folder), JOB_ID)  # an inline render (tests) has finished already
        if done is not None and done.status == "ready" and (folder / f"{done.sha256}.pdf").is_file():
            return PdfState("ready", folder / f"{done.sha256}.pdf")
        if done is not None and done.status != "ready":
            return PdfState("failed")
    return PdfState("preparing")


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")


def _stale_seconds() -> int:
    config = current_app.config
    return int(config["EXPORT_TIMEOUT_SECONDS"]) + int(config["EXPORT_QUEUE_TIMEOUT_SECONDS"])


def _claim(marker: Path, *, stale_after: int, fresh: bool) -> bool:
    """Whether this request may start the render: it creates the marker first (exclusively), or replaces one
    that is stale (a lost job) or whose render finished without a usable file (``fresh``: failed, or removed)."""
    marker.parent.mkdir(parents=True, exist_ok=True)
    if fresh or _age(marker) > stale_after:
        for name in (marker.name, f"jobs/{JOB_ID}.json", f"jobs/{JOB_ID}.started"):
            (marker.parent / name).unlink(missing_ok=True)
    try:
        handle = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    os.close(handle)
    return True


def _job(html: str, folder: Path) -> jobs.RenderJob:
    config = current_app.config
    return jobs.RenderJob(
        export_id=JOB_ID,
        html=html,
        export_dir=str(folder),
        timeout_seconds=config["EXPORT_TIMEOUT_SECONDS"],
        memory_mb=config["EXPORT_MEMORY_MB"],
        max_bytes=config["EXPORT_MAX_MB"] * 1024 * 1024,
    )
