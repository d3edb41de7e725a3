"""HTML → PDF with WeasyPrint, always through ``SafeURLFetcher`` and the bundled print stylesheet.

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
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration

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
VARIANTS = ("pdf/ua-1", "pdf/a-3b")
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
    """The PDF of ``html`` (a complete document with ``<title>`` and ``lang``), in ``variant``.

    ``attachments`` are (file name, content, description) embedded in the PDF (archival copies only).
    """
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
    document.metadata.__class__ = _PlainXmpMetadata
    files = [
        Attachment(string=content, base_url=base_url, url_fetcher=fetcher, name=name, description=description)
        for name, content, description in attachments
    ]
    out = io.BytesIO()
    with warnings.catch_warnings():  # renders run one at a time in their own process: no thread shares this
        warnings.simplefilter("ignore", ResourceWarning)  # WeasyPrint 70's PDF/A code leaves its ICC file open
        document.write_pdf(out, pdf_variant=variant, attachments=files or None, uncompressed_pdf=False)
    return Rendered(pdf=out.getvalue(), pages=len(document.pages))


def asset_path(name: str) -> Path:
    return PRINT_ASSETS / name
