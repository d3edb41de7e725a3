"""In Chromium: setting up an authenticator app from the QR code, then signing in again with password and code.

The QR code is read back from the pixels Chromium draws (a screenshot of the element, decoded with zxing-cpp)
at a desktop and a phone width: it must be whole, at least 200 px wide, and carry the provisioning URI the
server expects. The second sign-in must succeed on the first submit of the code (CSRF protection on).
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pyotp
import zxingcpp
from flask import Flask
from PIL import Image
from playwright.sync_api import Page, expect

from app.auth import mfa
from app.demo.seed import DEMO_USERS
from tests.browser.conftest import BROWSER_TEST, sign_in

pytestmark = BROWSER_TEST

EDITOR = next(u for u in DEMO_USERS if u.role == "editor")
WIDTHS = (1280, 390)
MIN_QR_PX = 200
# Screenshots for a person to look at (never in the repository): MFA_SCREENSHOT_DIR=/tmp/mfa-shots pytest ...
SHOTS = Path(os.environ["MFA_SCREENSHOT_DIR"]) if os.environ.get("MFA_SCREENSHOT_DIR") else None


def _fits_width(page: Page) -> bool:
    """Nothing on the page needs sideways scrolling."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def _shoot(page: Page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _qr_as_drawn(page: Page) -> tuple[str, dict[str, float]]:
    """The text zxing-cpp decodes from the QR code's pixels on screen, and the code's box on the page."""
    code = page.locator("svg.pw-qr")
    box = code.bounding_box()
    assert box is not None, "the QR code is not shown"
    image = Image.open(io.BytesIO(code.screenshot())).convert("L")
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code could be read from the page"
    return found[0].text, box


def _check_qr_whole(page: Page, expected_uri: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    text, box = _qr_as_drawn(page)
    assert text == expected_uri
    assert box["width"] >= MIN_QR_PX and box["height"] >= MIN_QR_PX, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"the code runs off a {width} px wide page"
    frame = page.locator(".pw-qr-box").bounding_box()
    assert frame is not None
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"], "the code is cropped"
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"], "the code is cropped"
    assert _fits_width(page), f"the set-up page scrolls sideways at {width} px"
    _shoot(page, f"mfa-enrol-{width}")


def test_enrol_from_the_qr_code_then_sign_in_with_password_and_code_on_the_first_try(
    page: Page, live_app: Flask
) -> None:
    sign_in(page, EDITOR.email, EDITOR.password)
    page.goto("/account/mfa/enrol")
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    secret = page.locator("[data-totp-key]").inner_text().replace(" ", "")
    with live_app.app_context():
        expected_uri = mfa.provisioning_uri(secret, EDITOR.email)
    assert expected_uri.startswith("otpauth://totp/") and f"secret={secret}" in expected_uri
    for width in WIDTHS:
        _check_qr_whole(page, expected_uri, width)
    page.set_viewport_size({"width": 1280, "height": 900})

    totp = pyotp.TOTP(secret)
    page.get_by_label("6-digit code from the app").fill(totp.now())
    page.get_by_role("button", name="Confirm and switch on").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    page.get_by_label("Email address", exact=True).fill(EDITOR.email)
    page.get_by_label("Password").fill(EDITOR.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter the code from your authenticator app")).to_be_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert _fits_width(page), f"the code page scrolls sideways at {width} px"
        _shoot(page, f"mfa-second-factor-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})
    # The set-up used this step's code; the next step's is also accepted (one step of clock drift) and is new.
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/plans")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert "form expired" not in page.content()
    assert page.problems == []  # type: ignore[attr-defined]
