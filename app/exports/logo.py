"""Organization logos for PDF covers: a PNG checked by its bytes, or an SVG parsed and sanitised.

The logo reaches the PDF only as a ``data:`` URI through ``SafeURLFetcher``; sanitising the SVG as well means
a logo cannot carry scripts, event handlers, foreign HTML, styles or references to anything outside itself,
in the PDF or on the settings page that previews it.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from xml.etree.ElementTree import Element, tostring  # serialises a tree defusedxml parsed

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

MAX_LOGO_BYTES = 512 * 1024
MAX_PNG_SIDE = 4000  # pixels: a logo, not a poster
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Elements kept (SVG namespace); everything else, with its content, is dropped.
ALLOWED_ELEMENTS = frozenset(
    {
        "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
        "title", "desc", "defs", "linearGradient", "radialGradient", "stop", "clipPath", "mask", "use", "symbol",
    }
)  # fmt: skip
# Presentation attributes and geometry kept; no style, no event handlers, no external references.
ALLOWED_ATTRIBUTES = frozenset(
    {
        "id", "class", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
        "d", "points", "transform", "fill", "fill-opacity", "fill-rule", "clip-rule", "stroke", "stroke-width",
        "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "opacity",
        "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "clip-path", "mask",
        "font-family", "font-size", "font-weight", "text-anchor", "dominant-baseline", "preserveAspectRatio",
        "role", "aria-label", "version", "spreadMethod", "fx", "fy", "clipPathUnits", "maskUnits", "visibility",
    }
)  # fmt: skip
# A drawn logo is a few levels deep with at most some thousands of shapes. Deeper or larger trees are refused
# before any recursive step (cleaning, serialising) could exhaust Python's stack or the server's time.
MAX_SVG_DEPTH = 50
MAX_SVG_ELEMENTS = 20_000
URL_FUNCTION = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.I)


class LogoRejected(ValueError):
    """The file cannot be a logo; the message says what to upload instead."""


@dataclass(frozen=True)
class Logo:
    content: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def check_logo(data: bytes, filename: str = "") -> Logo:
    """A storable logo from an upload, or LogoRejected saying why not."""
    if not data:
        raise LogoRejected("The file is empty. Choose a PNG or SVG file of your logo.")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRejected(f"The logo is larger than {MAX_LOGO_BYTES // 1024} KB. Upload a smaller PNG or SVG.")
    if data.startswith(PNG_MAGIC):
        return Logo(_checked_png(data), "image/png")
    if filename.lower().endswith(".png"):
        raise LogoRejected("This file is named .png but is not a PNG image. Export the logo again as PNG or SVG.")
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) or b"<svg" in data[:4096].lower():
        return Logo(sanitize_svg(data), "image/svg+xml")
    raise LogoRejected("Upload the logo as a PNG or SVG file (other image types are not accepted).")


def _checked_png(data: bytes) -> bytes:
    # The IHDR chunk follows the signature: length, type, width, height (big-endian).
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise LogoRejected("This PNG file is damaged (no image header). Export the logo again.")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_PNG_SIDE and 0 < height <= MAX_PNG_SIDE):
        raise LogoRejected(
            f"The PNG is {width} × {height} pixels; a logo may be at most {MAX_PNG_SIDE} pixels on each side."
        )
    if not data.rstrip(b"\0").endswith(b"IEND\xaeB`\x82"):
        raise LogoRejected("This PNG file is incomplete. Export the logo again.")
    return data


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _safe_reference(value: str) -> bool:
    return value.strip().startswith("#")


def _clean(element: Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str):  # comments, processing instructions
            element.remove(child)
            continue
        namespace, name = _local(child.tag)
        if namespace != SVG_NS or name not in ALLOWED_ELEMENTS:
            element.remove(child)
            continue
        _clean(child)
    for attribute, value in list(element.attrib.items()):
        namespace, name = _local(attribute)
        reference = name == "href" and namespace in ("", XLINK_NS)
        if reference:
            if not _safe_reference(value):
                del element.attrib[attribute]
            continue
        if namespace or name not in ALLOWED_ATTRIBUTES or name.lower().startswith("on"):
            del element.attrib[attribute]
            continue
        urls = URL_FUNCTION.findall(value)
        if any(not _safe_reference(url) for url in urls) or "javascript:" in value.lower():
            del element.attrib[attribute]


def sanitize_svg(data: bytes) -> bytes:
    """The SVG with only drawing elements and attributes left (see ALLOWED_*); LogoRejected if it is not SVG."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SafeET.ParseError, ValueError) as exc:
        raise LogoRejected(
            "This SVG could not be read (it is malformed or uses entities or a DTD). Export it again as plain SVG."
        ) from exc
    if _local(root.tag) != (SVG_NS, "svg"):
        raise LogoRejected("This file is not an SVG image (its root element is not <svg>). Upload a PNG or SVG.")
    _check_size(root)
    _clean(root)
    _unqualify(root)
    root.set("xmlns", SVG_NS)
    cleaned: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return cleaned


def _check_size(root: Element) -> None:
    """Refuse a tree nested deeper than MAX_SVG_DEPTH or with more than MAX_SVG_ELEMENTS elements (walked without
    recursion, so the check itself cannot fail on the tree it guards against)."""
    stack, count = [(root, 1)], 0
    while stack:
        element, depth = stack.pop()
        count += 1
        if depth > MAX_SVG_DEPTH:
            raise LogoRejected(
                f"This SVG nests its shapes more than {MAX_SVG_DEPTH} levels deep. Export it again flattened "
                "(most editors offer “flatten” or “ungroup”)."
            )
        if count > MAX_SVG_ELEMENTS:
            raise LogoRejected(
                f"This SVG has more than {MAX_SVG_ELEMENTS:,} elements; a logo needs far fewer. "
                "Simplify it or upload a PNG."
            )
        stack.extend((child, depth + 1) for child in element)


def _unqualify(element: Element) -> None:
    """Plain names for the (SVG-only) tree; xlink:href becomes SVG 2's href, so no namespace prefixes remain."""
    element.tag = _local(element.tag)[1]
    for attribute in list(element.attrib):
        namespace, name = _local(attribute)
        if namespace:
            value = element.attrib.pop(attribute)
            if name == "href" and "href" not in element.attrib:
                element.set("href", value)
    for child in element:
        _unqualify(child)
