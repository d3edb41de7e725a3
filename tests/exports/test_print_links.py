"""Links in PDFs: the app's own pages are printed as text, anchors and web addresses stay links."""

from __future__ import annotations

from app.exports.pdf.render import printable_links, render_pdf
from tests.exports.pdfcheck import links, page_texts


def test_relative_and_unknown_scheme_links_become_text_with_their_attributes() -> None:
    html = (
        '<p><a class="usa-link" href="/initiatives/5">INI-0005</a> and '
        "<A HREF='javascript:alert(1)' title=\"t\">run</A> and "
        '<a href="file:///etc/hostname">file</a> and <abbr title="x">ARB</abbr></p>'
    )
    assert printable_links(html) == (
        '<p><span class="usa-link">INI-0005</span> and <span title="t">run</span> and '
        '<span>file</span> and <abbr title="x">ARB</abbr></p>'
    )


def test_anchors_and_web_addresses_stay_links() -> None:
    html = (
        '<a href="#section-3">Vision</a> <a href="https://127.0.0.1/standards">standard</a> '
        '<a href="mailto:cio@agency.example">write</a> <a id="top">no href</a>'
    )
    assert printable_links(html) == html.replace('<a id="top">no href</a>', '<span id="top">no href</span>')


def test_a_rendered_pdf_keeps_only_the_links_a_reader_can_follow() -> None:
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>Links</title></head><body>'
        '<p><a href="#part">Jump</a> to the part. See <a href="/objectives/14">G1.2</a> and the '
        '<a href="https://127.0.0.1/standards">standard</a>.</p>'
        '<h2 id="part">Part</h2><p>Text.</p></body></html>'
    )
    pdf = render_pdf(html).pdf
    assert sorted(target for _, target in links(pdf)) == ["#internal", "https://127.0.0.1/standards"]
    assert "See G1.2 and the standard." in " ".join(page_texts(pdf).pop(0).split())
