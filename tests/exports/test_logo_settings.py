"""Organization settings: the classification label and the cover logo (PNG checked, SVG sanitised)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest

from app.auth.models import Role
from app.exports.logo import MAX_LOGO_BYTES, LogoRejected, check_logo, sanitize_svg
from app.exports.models import OrganizationLogo
from app.exports.pdf.documents import plan_document
from app.exports.pdf.render import render_pdf
from app.extensions import db
from tests.exports.pdfcheck import image_count, page_texts
from tests.factories import create_org, create_plan, create_user


def png(width: int = 40, height: int = 20) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\x1a\x44\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 40" '
    b'onload="alert(1)" style="background:url(http://127.0.0.1:9/x)">'
    b"<script>alert(2)</script><style>rect { fill: url(http://127.0.0.1:9/s) }</style>"
    b'<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">HTML</div></foreignObject>'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="#1a4480"/></linearGradient></defs>'
    b'<rect width="100" height="40" fill="url(#g)" onclick="x()"/>'
    b'<image href="file:///etc/passwd" width="5" height="5"/>'
    b'<use xlink:href="http://127.0.0.1:9/sprite.svg#a"/><use href="#g"/>'
    b'<a href="javascript:alert(3)"><text x="5" y="30" font-size="20">STATE</text></a>'
    b'<path d="M0 0L10 10" fill="url(http://127.0.0.1:9/p)"/>'
    b"</svg>"
)


def test_svg_keeps_the_drawing_and_drops_everything_active_or_external() -> None:
    cleaned = sanitize_svg(SVG).decode()
    for gone in ("script", "onload", "onclick", "style", "foreignObject", "HTML", "127.0.0.1", "file:", "javascript",
                 "<image", "alert"):  # fmt: skip
        assert gone not in cleaned, gone
    for kept in ('viewBox="0 0 100 40"', "<rect", 'fill="url(#g)"', 'href="#g"', "linearGradient", "<path"):
        assert kept in cleaned, kept


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "logo.png", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (MAX_LOGO_BYTES), "logo.png", "larger than 512 KB"),
        (png(5000, 10), "logo.png", "at most 4000 pixels"),
        (png()[:-12], "logo.png", "incomplete"),
        (b"GIF89a....", "logo.png", "not a PNG"),
        (b"GIF89a....", "logo.gif", "PNG or SVG"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>', "a", "DTD"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"><svg/></html>', "logo.svg", "not an SVG"),
    ],
)
def test_bad_logos_are_refused_with_what_to_do(data: bytes, name: str, message: str) -> None:
    with pytest.raises(LogoRejected, match=message):
        check_logo(data, name)


def test_admin_sets_label_and_logo_which_the_pdf_cover_shows(app, signed_in) -> None:  # type: ignore[no-untyped-def]
    org = create_org(name="Office of the State CIO")
    admin = create_user(org=org, role=Role.ADMIN)
    plan = create_plan(org=org, owner=admin, title="Digital State 2027–2030")
    client = signed_in(admin)
    assert "Organization settings" in client.get("/admin/users").get_data(as_text=True)
    response = client.post(
        "/admin/organization",
        data={"classification_label": "  internal   use only ", "logo": (io.BytesIO(png()), "seal.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get("/admin/organization").get_data(as_text=True)
    assert 'value="INTERNAL USE ONLY"' in page and 'src="data:image/png;base64,' in page
    with app.test_request_context("/"):
        pdf = render_pdf(plan_document(plan).html).pdf
    texts = page_texts(pdf)
    assert "INTERNAL USE ONLY" in texts[0] and "INTERNAL USE ONLY" in texts[-1]  # cover and footer
    assert image_count(pdf, 1) == 1
    bad = client.post(
        "/admin/organization",
        data={"classification_label": "PUBLIC", "logo": (io.BytesIO(b"GIF89a"), "seal.gif")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "Upload the logo as a PNG or SVG" in bad.get_data(as_text=True)
    assert 'value="PUBLIC"' in bad.get_data(as_text=True)  # what the admin typed is kept
    db.session.expire_all()
    assert org.classification_label == "INTERNAL USE ONLY"  # nothing saved from the refused form
    removed = client.post("/admin/organization", data={"classification_label": "PUBLIC", "remove_logo": "y"})
    assert removed.status_code == 302 and db.session.get(OrganizationLogo, org.id) is None


def test_only_admins_reach_the_settings(signed_in) -> None:  # type: ignore[no-untyped-def]
    org = create_org()
    editor = signed_in(create_user(org=org, role=Role.EDITOR))
    assert editor.get("/admin/organization").status_code == 403
    assert editor.post("/admin/organization", data={"classification_label": "X"}).status_code == 403
