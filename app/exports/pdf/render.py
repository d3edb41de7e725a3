"""HTML → PDF with WeasyPrint, always through ``SafeURLFetcher`` and the bundled print stylesheet, then one
pikepdf step (``accessibility.make_accessible``) for what a screen reader needs and WeasyPrint 70 leaves out.

Pure: no database, no Flask. Job code (``jobs.py``) calls it in a worker process under a time and
memory limit; nothing else should call it from a web request.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from weasyprint import CSS, HTML, Attachment
from weasyprint.document import Page
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration

from app.exports.pdf.accessibility import make_accessible
from app.exports.pdf.fetcher import FONT_DIR, PRINT_ASSETS, SafeURLFetcher

PRINT_CSS = PRINT_ASSETS / "print.css"
TEMPLATE_DIR = PRINT_ASSETS.parent
# (file stem, weight, style) of the Public Sans faces the print stylesheet uses.
FACES = (
    ("PublicSans-Regular", 400, "normal"),
    ("PublicSans-Italic", 400, "italic"),
    ("PublicSans-SemiBold", 600, "normal"),
    ("PublicSans-Bold", 700, "normal"),
    ("PublicSans-BoldItalic", 700, "italic"),
)
# The archival copy is PDF/A-3a (tagged, Unicode text) and claims PDF/UA-1 as well (see _ArchivalXmpMetadata).
ARCHIVAL = "pdf/a-3a"
VARIANTS = ("pdf/ua-1", ARCHIVAL)
# Jobs queued before archival copies were tagged still name the untagged variant; they render as ARCHIVAL.
RENAMED_VARIANTS = {"pdf/a-3b": ARCHIVAL}
# Links a PDF keeps: its own anchors (table of contents) and addresses a reader can open. Everything else
# (the app's pages, /initiatives/5, written as relative links by the live blocks) would point at file:///...
LINK_SCHEMES = ("http:", "https:", "mailto:")
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.DOTALL | re.IGNORECASE)
_HREF = re.compile(r"""\shref\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE)


class _PlainXmpMetadata(DocumentMetadata):
    """WeasyPrint 70 compresses the XMP metadata stream with the rest; PDF/A (ISO 19005-2/3, 6.6.2.1) forbids a
    Filter on it, so readers that do not understand PDF can find the metadata. Written uncompressed (a few
    hundred bytes)."""

    def include_in_pdf(self, pdf, variant, version, conformance, compress):  # type: ignore[no-untyped-def]
        super().include_in_pdf(pdf, variant, version, conformance, False)


# PDF/A allows only the XMP schemas it predefines unless the file describes the others; pdfuaid is not one of
# them, so the archival copy declares it before claiming PDF/UA-1 (ISO 14289-1, 5).
_PDFUA_IN_PDFA = b"""<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA identification</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>
"""


class _ArchivalXmpMetadata(_PlainXmpMetadata):
    """The archival copy's metadata: PDF/A-3a, and PDF/UA-1 with its schema described for PDF/A."""

    def generate_rdf_metadata(self, variant, version, conformance):  # type: ignore[no-untyped-def]
        rdf: bytes = super().generate_rdf_metadata(variant, version, conformance)
        end = rdf.rindex(b"</rdf:RDF>")
        return rdf[:end] + _PDFUA_IN_PDFA + rdf[end:]


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def printable_links(html: str) -> str:
    """``html`` with every link that means nothing in a PDF printed as plain text (a ``span`` with the same
    attributes): relative links to the app's pages, and any scheme other than ``LINK_SCHEMES``.

    A regular expression is enough here: the print HTML comes from autoescaped templates and sanitised
    Markdown, so attribute values hold no ``>`` and links do not nest.
    """

    def replace(match: re.Match[str]) -> str:
        attributes, inner = match.groups()
        href = _HREF.search(attributes)
        target = href.group(1)[1:-1].strip().lower() if href else ""
        if target.startswith("#") or target.startswith(LINK_SCHEMES):
            return match.group(0)
        return f"<span{_HREF.sub('', attributes)}>{inner}</span>"

    return _ANCHOR.sub(replace, html)


def font_faces() -> str:
    """``@font-face`` rules for the bundled Public Sans files (none when `make assets` has not run)."""
    rules = []
    for stem, weight, style in FACES:
        path = FONT_DIR / f"{stem}.ttf"
        if path.is_file():
            rules.append(
                f'@font-face {{ font-family: "Public Sans"; src: url("{path.as_uri()}"); '
                f"font-weight: {weight}; font-style: {style}; }}"
            )
    return "\n".join(rules)


@cache
def template_version() -> str:
    """A hash of everything besides the data that shapes a PDF: print templates, stylesheet and fonts present.

    Two exports with the same snapshot and the same template version are the same file, so one is reused.
    """
    digest = hashlib.sha256()
    for path in sorted(TEMPLATE_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(TEMPLATE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    digest.update(font_faces().encode())
    return digest.hexdigest()[:16]


def render_pdf(
    html: str,
    *,
    variant: str = "pdf/ua-1",
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> Rendered:
    """The PDF of ``html`` (a complete document with ``<title>`` and ``lang``), in ``variant``: PDF/UA-1, or the
    archival PDF/A-3a that is PDF/UA-1 too. Both are tagged and go through ``make_accessible``.

    ``attachments`` are (file name, content, description) embedded in the PDF (archival copies only).
    """
    variant = RENAMED_VARIANTS.get(variant, variant)
    if variant not in VARIANTS:
        raise ValueError(f"unknown PDF variant {variant!r}")
    fetcher = SafeURLFetcher()
    base_url = PRINT_ASSETS.as_uri() + "/"
    fonts = FontConfiguration()  # @font-face rules only apply through the same configuration
    stylesheets = [
        CSS(string=font_faces(), base_url=base_url, url_fetcher=fetcher, font_config=fonts),
        CSS(string=PRINT_CSS.read_text(encoding="utf-8"), base_url=base_url, url_fetcher=fetcher, font_config=fonts),
    ]
    document = HTML(string=printable_links(html), base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=stylesheets, presentational_hints=False, font_config=fonts
    )
    document.metadata.__class__ = _ArchivalXmpMetadata if variant == ARCHIVAL else _PlainXmpMetadata
    files = [
        Attachment(string=content, base_url=base_url, url_fetcher=fetcher, name=name, description=description)
        for name, content, description in attachments
    ]
    out = io.BytesIO()
    with warnings.catch_warnings():  # renders run one at a time in their own process: no thread shares this
        warnings.simplefilter("ignore", ResourceWarning)  # WeasyPrint 70's PDF/A code leaves its ICC file open
        document.write_pdf(out, pdf_variant=variant, attachments=files or None, uncompressed_pdf=False)
    descriptions, pages = link_descriptions(document.pages), len(document.pages)
    del document, files  # most of the laid-out pages are freed before pikepdf reads the file (peak +6 MB, not +16)
    return Rendered(pdf=make_accessible(out.getvalue(), descriptions), pages=pages)


def link_descriptions(pages: list[Page]) -> list[list[str]]:
    """For each page, what each of its link annotations says to a screen reader, in WeasyPrint's order.

    The link's visible text (its whole ``<a>``, whichever part of it the annotation covers) and, for a link
    within the document, the page it leads to: "Cybersecurity, page 12". Links WeasyPrint drops (an anchor
    that does not exist) are skipped the same way, so the lists line up with the annotations.
    """
    anchor_pages: dict[str, int] = {}
    for number, page in enumerate(pages, start=1):
        for name in page.anchors:
            anchor_pages.setdefault(name, number)
    found = []
    for page in pages:
        texts = []
        for kind, target, _, box in page.links:
            if kind not in ("internal", "external") or (kind == "internal" and target not in anchor_pages):
                continue
            element = getattr(box, "element", None)
            text = " ".join("".join(element.itertext()).split()) if element is not None else ""
            texts.append(f"{text or 'Go to'}, page {anchor_pages[target]}" if kind == "internal" else text or target)
        found.append(texts)
    return found


def asset_path(name: str) -> Path:
    return PRINT_ASSETS / name
