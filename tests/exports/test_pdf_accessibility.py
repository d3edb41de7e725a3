"""What a screen reader gets from Planwright's PDFs, beyond the demo plan (tests/exports/test_demo_pdf.py):
the board pack, and a small document with every construct the post-processing step (app/exports/pdf/
accessibility.py) handles: running heads and "Page X of Y", contents leaders, column and row headers, a
full stop on its own after inline markup, links within the document and out of it."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pikepdf
import pytest

from app.exports.pdf.accessibility import make_accessible
from app.exports.pdf.documents import board_pack_document, board_pack_meeting
from app.exports.pdf.render import render_pdf
from tests.exports.pdfcheck import (
    link_annotation_contents,
    marked_text,
    parent_tree_problems,
    pdfua_findings,
    table_header_problems,
    validator_failures,
)
from tests.exports.test_board_pack import meeting  # noqa: F401  (the board pack's meeting fixture)

SAMPLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sample plan</title></head><body>
<section class="cover"><h1 class="title">Sample plan</h1><p class="classification">OFFICIAL</p></section>
<nav class="chapter page-flow toc" aria-labelledby="toc"><h2 id="toc">Contents</h2><ol>
<li><a href="#goals">Goals and measures</a></li><li><a href="#costs">Costs by year</a></li></ol></nav>
<section class="chapter page-flow" aria-labelledby="goals"><h2 id="goals">Goals and measures</h2>
<p>Read <strong>the measures</strong>.</p>
<table><caption>Measures</caption><thead><tr><th scope="col">Measure</th><th scope="col">Target</th></tr></thead>
<tbody><tr><td>Uptime</td><td>99.9%</td></tr><tr><td>Calls answered</td><td>90%</td></tr></tbody></table>
<p>Sources: <a href="https://example.org/report">the state audit report</a>; costs in <a href="#costs">the
next section</a>.</p></section>
<section class="chapter page-flow" aria-labelledby="costs"><h2 id="costs">Costs by year</h2>
<table><caption>Costs</caption><thead><tr><th scope="col">Year</th><th scope="col">Capital</th>
<th scope="col">Operating</th></tr></thead><tbody>
<tr><th scope="row">2027</th><td>$1,000</td><td>$200</td></tr>
<tr><th scope="row">2028</th><td>$1,500</td><td>$250</td></tr></tbody></table></section>
</body></html>"""


@pytest.fixture(scope="module")
def sample() -> Iterator[bytes]:
    yield render_pdf(SAMPLE).pdf


@pytest.fixture(scope="module")
def sample_archive() -> Iterator[bytes]:
    yield render_pdf(SAMPLE, variant="pdf/a-3a", attachments=(("data.json", b"{}", "The data"),)).pdf


def _cells(pdf: bytes) -> list[tuple[str, str]]:
    """(text of the first marked content, /Scope) of every header cell, in order."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        stack = [doc.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(reversed(list(node)))
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                if node.S == "/TH":
                    found.append((str(node.get("/ID")), str(node.A.get("/Scope"))))
                stack.append(node.get("/K"))
    return found


def test_column_and_row_headers_get_their_scope_and_every_cell_its_headers(sample: bytes) -> None:
    scopes = [scope for _, scope in _cells(sample)]
    assert scopes == ["/Column"] * 5 + ["/Row"] * 2
    tables, problems = table_header_problems(sample)
    assert tables == 2 and problems == []


def test_page_furniture_and_leaders_are_artifacts_but_a_lone_full_stop_is_read(sample: bytes) -> None:
    seen = marked_text(sample)
    assert seen.loose == []
    tagged = [text for texts in seen.tagged for text in texts]
    assert "." in [t.strip() for t in tagged], "the full stop after <strong> is text, not a leader"
    assert not [t for t in tagged if "Page " in t and " of " in t]
    assert "Page 2 of 4" in " ".join(seen.artifacts[1])
    assert "OFFICIAL" in " ".join(seen.artifacts[1]) and "Sample plan" in " ".join(seen.artifacts[2])
    assert sum(1 for t in seen.artifacts[1] if t.strip() == ".") > 20
    assert parent_tree_problems(sample) == []


def test_links_say_what_they_show_and_where_they_lead(sample: bytes) -> None:
    described = {text for _, text in link_annotation_contents(sample)}
    assert {"Goals and measures, page 3", "Costs by year, page 4"} <= described
    assert {"the state audit report", "the next section, page 4"} <= described


def test_both_checkers_pass_the_sample_and_its_archival_copy(sample: bytes, sample_archive: bytes) -> None:
    assert validator_failures(sample, "ua1") == [] and pdfua_findings(sample) == []
    assert validator_failures(sample_archive, "3a") == [] and validator_failures(sample_archive, "ua1") == []
    assert pdfua_findings(sample_archive) == []
    assert table_header_problems(sample_archive)[1] == [] and marked_text(sample_archive).loose == []


def test_a_pdf_without_a_tag_tree_is_left_as_it_is() -> None:
    out = io.BytesIO()
    with pikepdf.new() as doc:
        doc.add_blank_page()
        doc.save(out)
    assert make_accessible(out.getvalue()) == out.getvalue()


def test_the_board_pack_is_as_usable_with_a_screen_reader(app, meeting) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with app.test_request_context("/"):
        pdf = render_pdf(board_pack_document(board_pack_meeting(meeting["meeting"].id)).html).pdf
    assert validator_failures(pdf, "ua1") == [] and pdfua_findings(pdf) == []
    tables, problems = table_header_problems(pdf)
    assert tables >= 2 and problems == []
    seen = marked_text(pdf)
    assert seen.loose == [] and parent_tree_problems(pdf) == []
    total = len(seen.tagged)
    assert f"Page {total} of {total}" in " ".join(seen.artifacts[-1])
    assert not [t for texts in seen.tagged for t in texts if f"of {total}" in t and t.startswith("Page ")]
    described = link_annotation_contents(pdf)
    assert described and all(text and not re.fullmatch(r"[\w#-]+", text) for _, text in described), described
