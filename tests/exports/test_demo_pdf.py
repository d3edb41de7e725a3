"""The demo plan's PDFs, as an executive would get them: the draft, adopted version 1 and its archival copy.

The demo office is loaded into a database of this module's own (one demo load, three renders for the whole
module). Loading it adopts version 1, so the adoption hook (EXPORT_ON_ADOPTION, on here) has already queued
and (EXPORT_SYNC) rendered version 1's plan PDF and its archival copy (PDF/A-3a and PDF/UA-1): the tests
read those files. The screen-reader tests at the end walk the tag tree of all three.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import page
import pikepdf
import pytest
from flask_migrate import upgrade

from app import create_app
from app.core.markdown import render_markdown
from app.demo.seed import STATE_SLUG, load_demo
from app.exports import services
from app.exports.models import Export, ExportKind
from app.extensions import db
from app.governance.models import PlanVersion
from app.plans.models import Plan
from tests.conftest import make_config
from tests.exports.pdfcheck import (
    attachment_bytes,
    embedded_files,
    figures,
    font_names,
    link_annotation_contents,
    links,
    marked_text,
    outline_pages,
    page_texts,
    parent_tree_problems,
    pdfua_findings,
    table_header_problems,
    toc_numbers,
    unembedded_fonts,
    validator_failures,
    watermarked_pages,
    xmp,
)
from tests.exports.visual import compare_first_page

FENCE = re.compile(r"^```.*?^```\s*$", re.M | re.S)


@dataclass
class DemoPdfs:
    draft: bytes
    adopted: bytes
    archive: bytes
    title: str
    version_title: str
    sections: list[tuple[str, str]]  # (title, Markdown) of the draft
    version_sections: list[tuple[str, str]]
    automatic: list[tuple[str, int | None, str]]  # (kind, version, status) of exports made at adoption


def _file(export: Export) -> bytes:
    services.refresh(export)
    path = services.file_path(export)
    assert path is not None, f"{export.kind} export {export.id}: {export.status} {export.error}"
    return path.read_bytes()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoPdfs]:
    folder = tmp_path_factory.mktemp("demo-pdf")
    app = create_app(
        make_config(f"sqlite:///{folder / 'demo.db'}", EXPORT_DIR=str(folder / "exports"), EXPORT_ON_ADOPTION=True)
    )
    with app.app_context():
        upgrade()
        load_demo(app.config["PLAN_TEMPLATE_DIR"])
        db.session.commit()  # the adoption hook renders version 1 and its archival copy here
        plan = db.session.scalar(db.select(Plan).join(Plan.organization).where(Plan.organization.has(slug=STATE_SLUG)))
        assert plan is not None
        version = db.session.scalar(
            db.select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.number == 1)
        )
        assert version is not None
        made = list(db.session.scalars(db.select(Export).where(Export.plan_id == plan.id).order_by(Export.id)))
        by_kind = {e.kind: e for e in made}
        requested = services.request_plan_pdf(plan, user=None)
        db.session.commit()
        services.dispatch(requested)
        yield DemoPdfs(
            draft=_file(requested.export),
            adopted=_file(by_kind[ExportKind.PLAN_PDF.value]),
            archive=_file(by_kind[ExportKind.ARCHIVE.value]),
            title=plan.title,
            version_title=version.title,
            sections=[(s.title, s.body) for s in plan.sections if not s.is_deleted],
            version_sections=[(s.title, s.body) for s in version.sections],
            automatic=[(e.kind, e.version_number, e.status) for e in made],
        )
        db.session.remove()
        db.engine.dispose()


def first_sentence(markdown: str) -> str:
    """The start of the section's first sentence of prose (live blocks and code fences left out)."""
    plain = " ".join(render_markdown(FENCE.sub("", markdown)).striptags().split())
    return re.split(r"(?<=[.!?])\s", plain, maxsplit=1)[0][:50]


def _normal(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def _check_structure(pdf: bytes, title: str, sections: list[tuple[str, str]]) -> list[str]:
    texts = page_texts(pdf)
    total = len(texts)
    everything = _normal(" ".join(texts))
    toc = toc_numbers(next(t for t in texts if t.lstrip().startswith("Contents")))
    outline = outline_pages(pdf)
    for heading, body in sections:
        assert toc[heading] == outline[heading], f"contents page says {toc[heading]}, outline {outline[heading]}"
        assert heading in _normal(texts[outline[heading] - 1]), heading
        sentence = first_sentence(body)
        assert sentence and sentence in everything, sentence
    for number in (2, 3, total // 3, total // 2, total - 1, total):
        assert f"Page {number} of {total}" in texts[number - 1], f"page {number}"
    assert unembedded_fonts(pdf) == []
    alts = figures(pdf)
    assert alts, "the demo plan has charts: the tag tree should hold figures"
    assert [a for a in alts if not (a[1] or "").strip()] == [], "a figure without alt text"
    assert xmp(pdf, "pdfuaid:part") == "1"
    report = page.validate_pdf_bytes(pdf, profile="ua1")
    assert [f.rule_id for f in report.failures] == []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert str(doc.Root.Lang) == "en"
        assert str(doc.docinfo.get("/Title")) == title
    return texts


def test_the_demo_draft_is_a_complete_accessible_draft(demo: DemoPdfs) -> None:
    texts = _check_structure(demo.draft, demo.title, demo.sections)
    assert 30 <= len(texts) <= 120, len(texts)
    assert watermarked_pages(demo.draft) == list(range(1, len(texts) + 1))
    assert "DRAFT" in texts[0] and "DRAFT — not adopted" in " ".join(texts[1:3])
    assert all("DRAFT" in t for t in texts[3:6]), "the running header says DRAFT"


def test_adopted_version_1_has_no_watermark_and_its_adoption_record(demo: DemoPdfs) -> None:
    texts = _check_structure(demo.adopted, demo.version_title, demo.version_sections)
    assert watermarked_pages(demo.adopted) == []
    assert "DRAFT" not in texts[0] and "Version 1" in texts[0]
    record = _normal(" ".join(texts[1:3]))
    assert "Adoption record" in record and "IT Governance Board" in record and "Approve" in record


def test_adoption_queued_both_pdfs_and_they_were_ready_at_once(demo: DemoPdfs) -> None:
    assert sorted(demo.automatic) == [("archive", 1, "ready"), ("plan_pdf", 1, "ready")]


def test_the_archival_copy_is_tagged_pdfa_3a_and_pdfua_1_with_the_plan_data_attached(demo: DemoPdfs) -> None:
    assert embedded_files(demo.archive) == ["plan.json"]
    data = json.loads(attachment_bytes(demo.archive, "plan.json"))
    assert data["title"] == demo.version_title and data["version"] == 1 and data["status"] == "adopted"
    assert [s["title"] for s in data["sections"]] == [title for title, _ in demo.version_sections]
    assert xmp(demo.archive, "pdfaid:part") == "3" and xmp(demo.archive, "pdfaid:conformance") == "A"
    assert xmp(demo.archive, "pdfuaid:part") == "1"
    with pikepdf.open(io.BytesIO(demo.archive)) as doc:
        assert "/StructTreeRoot" in doc.Root and bool(doc.Root.MarkInfo.Marked)
    assert embedded_files(demo.adopted) == [] and embedded_files(demo.draft) == []


def test_every_page_is_set_in_the_bundled_font_and_every_link_can_be_followed(demo: DemoPdfs) -> None:
    """Charts and decorative symbols once fell back to the machine's fonts (Liberation Sans, DejaVu Sans), and
    the live blocks' links to the app's pages became file:///initiatives/5 links in the PDF."""
    for pdf in (demo.draft, demo.archive):  # the adopted PDF is the draft's templates without the watermark
        fonts = font_names(pdf)
        assert fonts and all(name.startswith("Public-Sans") for name in fonts), fonts
        found = links(pdf)
        outside = [target for _, target in found if target != "#internal"]
        assert [t for t in outside if not t.startswith(("http://", "https://", "mailto:"))] == []
        contents = [number for number, target in found if target == "#internal" and number <= 6]
        assert len(contents) >= len(demo.sections), "the contents page links to every section"


def test_the_cover_looks_like_the_reference(demo: DemoPdfs) -> None:
    """Page 1 at low resolution against tests/exports/reference/demo-cover.png (regenerate with
    ``python -m tests.exports.visual`` after a deliberate change of the cover; see that module)."""
    difference = compare_first_page(demo.draft)
    assert difference < 4.0, f"the cover differs from the reference by {difference:.2f} grey levels on average"


# --- a screen reader's view: both checkers clean, headers announced, no page furniture read, links named ---

KINDS = ("draft", "adopted", "archive")
PROFILES = {"draft": ("ua1",), "adopted": ("ua1",), "archive": ("3a", "ua1")}


@pytest.mark.parametrize("kind", KINDS)
def test_page_validation_and_pdfua_find_nothing(demo: DemoPdfs, kind: str) -> None:
    """Two independent checkers: page-validation (PDF/UA-1, and PDF/A-3a for the archival copy) and pdfua,
    whose warnings count too (unresolvable table headers and undescribed links are warnings there)."""
    pdf = getattr(demo, kind)
    for profile in PROFILES[kind]:
        assert validator_failures(pdf, profile) == [], profile
    assert pdfua_findings(pdf) == []


@pytest.mark.parametrize("kind", KINDS)
def test_every_table_announces_its_headers(demo: DemoPdfs, kind: str) -> None:
    tables, problems = table_header_problems(getattr(demo, kind))
    assert tables >= 40, "the demo plan has dozens of tables (goals, KPIs, costs, the traceability matrix)"
    assert problems == []


@pytest.mark.parametrize("kind", KINDS)
def test_running_heads_footers_leaders_and_watermark_are_artifacts(demo: DemoPdfs, kind: str) -> None:
    pdf = getattr(demo, kind)
    seen = marked_text(pdf)
    assert seen.loose == [], "content a reader meets that is neither in the tag tree nor an artifact"
    total = len(seen.tagged)
    for number in range(2, total + 1):
        footer = f"Page {number} of {total}"
        assert any(footer in text for text in seen.artifacts[number - 1]), footer
        assert not any(footer in text for text in seen.tagged[number - 1]), f"{footer} is read out"
    running_title = demo.title if kind == "draft" else demo.version_title
    assert any(running_title in text for text in seen.artifacts[3]), "the running head is drawn"
    tagged = [text for texts in seen.tagged for text in texts]
    assert [t for t in tagged if set(t.strip()) == {"."}] == [], "contents leader dots are read out"
    contents = next(i for i, texts in enumerate(seen.tagged) if texts and texts[0].strip() == "Contents")
    assert sum(1 for text in seen.artifacts[contents] if set(text.strip()) == {"."}) > 100, "leaders still drawn"
    assert parent_tree_problems(pdf) == []
    if kind == "draft":
        assert watermarked_pages(pdf) == list(range(1, total + 1)), "the watermark is still drawn, as an artifact"


@pytest.mark.parametrize("kind", KINDS)
def test_links_are_described_by_their_text_not_an_internal_id(demo: DemoPdfs, kind: str) -> None:
    found = link_annotation_contents(getattr(demo, kind))
    assert found, "the contents page links to every section"
    assert [(n, text) for n, text in found if not text or re.fullmatch(r"[\w#-]+", text)] == []
    outline = outline_pages(getattr(demo, kind))
    sections = demo.sections if kind == "draft" else demo.version_sections
    title = sections[0][0]
    assert f"{title}, page {outline[title]}" in [text for _, text in found]
