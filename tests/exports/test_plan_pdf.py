"""The plan PDF: contents page numbers, running footer, metadata, fonts, watermark, sections, PDF/UA-1;
its pages (request, status, download) and the process pool."""

from __future__ import annotations

import io
import time

import page
import pikepdf
import pytest
from flask_migrate import upgrade

from app import create_app
from app.auth.models import Role
from app.core.markdown import render_markdown
from app.exports import services
from app.exports.pdf import jobs
from app.exports.pdf.documents import plan_document
from app.exports.pdf.render import render_pdf
from app.extensions import db
from app.governance.models import PlanVersion, PlanVersionSection
from tests.conftest import make_config
from tests.exports.pdfcheck import outline_pages, page_texts, toc_numbers, unembedded_fonts, watermarked_pages
from tests.factories import create_org, create_plan, create_user


@pytest.fixture
def plan():  # type: ignore[no-untyped-def]
    org = create_org(name="Office of the State CIO")
    editor = create_user(org=org, role=Role.EDITOR, name="Elena Editor")
    return create_plan(org=org, owner=editor, title="Digital State 2027–2030")


def _pdf(app, plan, version=None) -> bytes:  # type: ignore[no-untyped-def]
    with app.test_request_context("/"):
        return render_pdf(plan_document(plan, version=version).html).pdf


def test_draft_plan_pdf(app, plan) -> None:  # type: ignore[no-untyped-def]
    pdf = _pdf(app, plan)
    texts = page_texts(pdf)
    total = len(texts)
    everything = " ".join(" ".join(texts).split())
    toc_page = next(t for t in texts if t.lstrip().startswith("Contents"))
    toc, outline = toc_numbers(toc_page), outline_pages(pdf)
    sections = [s for s in plan.sections if not s.is_deleted]
    for section in sections:
        assert toc[section.title] == outline[section.title], section.title
        plain = " ".join(render_markdown(section.body).striptags().split())
        first_sentence = plain.split(". ")[0][:40]
        assert section.title in texts[outline[section.title] - 1]
        assert first_sentence and first_sentence in everything, first_sentence
    for number in (1, total // 2, total):
        assert f"Page {number} of {total}" in texts[number - 1] or number == 1  # the cover has no footer number
    assert "DRAFT" in texts[0] and "OFFICIAL" in texts[0]
    assert watermarked_pages(pdf) == list(range(1, total + 1))
    assert unembedded_fonts(pdf) == []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert str(doc.Root.Lang) == "en"
        assert "/StructTreeRoot" in doc.Root and bool(doc.Root.MarkInfo.Marked)
        assert str(doc.docinfo.get("/Title")) == plan.title
        assert doc.open_metadata().get("pdfuaid:part") == "1"
    report = page.validate_pdf_bytes(pdf, profile="ua1")
    assert [f.rule_id for f in report.failures] == []


def test_adopted_version_has_no_watermark(app, plan) -> None:  # type: ignore[no-untyped-def]
    version = PlanVersion(
        plan=plan,
        number=1,
        title=plan.title,
        first_fiscal_year=2027,
        last_fiscal_year=2030,
        status="adopted",
        created_by_id=plan.owner_id,
    )
    version.sections = [
        PlanVersionSection(key=s.key, title=s.title, body=s.body, position=s.position) for s in plan.sections
    ]
    db.session.add(version)
    db.session.flush()
    pdf = _pdf(app, plan, version)
    texts = page_texts(pdf)
    assert watermarked_pages(pdf) == []
    assert "DRAFT" not in texts[0]
    assert "Version 1" in texts[0]


def test_request_status_and_download(app, plan, signed_in) -> None:  # type: ignore[no-untyped-def]
    viewer = create_user(org=plan.organization, role=Role.VIEWER)
    client = signed_in(viewer)
    response = client.post(f"/plans/{plan.id}/exports", data={"version": "draft"})
    assert response.status_code == 302
    export_url = response.headers["Location"]
    assert client.get(export_url + "/status").json["status"] == "ready"
    download = client.get(export_url + "/download")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    download.close()
    again = client.post(f"/plans/{plan.id}/exports", data={"version": "draft"})
    assert again.headers["Location"] == export_url  # identical snapshot: reused, not rendered again
    outsider = create_user(org=create_org(), role=Role.ADMIN)
    other = signed_in(outsider)
    assert other.get(export_url).status_code == 404
    assert other.get(export_url + "/download").status_code == 404
    assert client.post(f"/plans/{plan.id}/exports", data={"version": "7"}).status_code == 422


@pytest.mark.browser  # its own app and committed database: the pool's processes read it from their own app
def test_the_process_pool_builds_and_renders_off_the_calling_thread(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A pool process makes an app of its own from the running configuration, builds the print HTML there from
    the committed data, and renders it; the request only queued ids."""
    config = make_config(f"sqlite:///{tmp_path / 'app.db'}", EXPORT_DIR=str(tmp_path / "exports"), EXPORT_SYNC=False)
    app = create_app(config)
    try:
        with app.app_context(), app.test_request_context("/"):
            upgrade()
            org = create_org(name="Office of the State CIO")
            plan = create_plan(org=org, owner=create_user(org=org, role=Role.EDITOR), title="Digital State 2027–2030")
            db.session.commit()
            requested = services.request_plan_pdf(plan, user=None)
            db.session.commit()
            assert requested.job is not None and requested.job.html == ""
            export = requested.export
            deadline = time.monotonic() + 90
            while not services.refresh(export) or export.status == "rendering":
                assert time.monotonic() < deadline, "the pool did not finish"
                time.sleep(0.3)
            assert export.status == "ready", export.error
            assert export.pages and export.pages > 3 and services.file_path(export) is not None
            assert len(export.snapshot_hash) == 64  # the job's hash of the HTML it built, recorded on refresh
            db.session.commit()
            db.session.remove()
    finally:
        jobs.shutdown_pool()
        with app.app_context():
            db.engine.dispose()


def test_initiative_summaries_add_one_page_per_initiative_when_asked(app, plan) -> None:  # type: ignore[no-untyped-def]
    from tests.portfolio.factories import add_cost, create_initiative

    editor = plan.owner
    permits = create_initiative(
        org=plan.organization,
        user=editor,
        code="INI-0101",
        title="Online building permits",
        summary="Residents apply for and track building permits online.",
    )
    add_cost(permits, user=editor, fiscal_year=2028, capital="250000")
    create_initiative(org=plan.organization, user=editor, code="INI-0102", title="Statewide identity hub")
    with app.test_request_context("/"):
        plain = render_pdf(plan_document(plan).html).pdf
        with_summaries = render_pdf(plan_document(plan, one_pagers=True).html).pdf
    plain_pages, summary_pages = page_texts(plain), page_texts(with_summaries)
    one_pagers = [t for t in summary_pages if "Residents apply for and track building permits online." in t]
    assert len(summary_pages) >= len(plain_pages) + 2
    assert one_pagers and "INI-0101" in one_pagers[-1] and "250,000" in one_pagers[-1]
    assert any("INI-0102" in t and "Statewide identity hub" in t for t in summary_pages[len(plain_pages) - 1 :])
