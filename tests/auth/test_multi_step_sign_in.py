"""Every multi-step sign-in flow, with CSRF protection on as in production: each page's form works on the first
submit (no "Your form expired"), and the session id still changes when the sign-in completes (R06)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageDraw

from app.auth import mfa, reset
from app.auth.models import MfaPolicy, OrganizationSignIn, User
from app.extensions import db
from tests.auth.conftest import (
    client_with_cookie,
    hidden_field,
    is_signed_in,
    redirect_path,
    session_cookie,
    text_of,
)
from tests.conftest import csrf_app_fixture, csrf_token_from, new_client
from tests.factories import PASSWORD

pytestmark = pytest.mark.csrf
app = csrf_app_fixture()

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
EXPIRED = "form expired"


def enrol(user: User) -> list[str]:
    """An authenticator set up two minutes ago (its set-up code is then older than any code used below)."""
    at = time.time() - 120
    codes = mfa.enable_mfa(user, SECRET, pyotp.TOTP(SECRET).at(at), at=at)
    db.session.commit()
    return codes


def password_step(client: FlaskClient, user: User, next_value: str = "") -> str:
    """Open the sign-in page and submit it as a browser does; the HTML answered (the code page)."""
    page = client.get("/login", query_string={"next": next_value} if next_value else None).get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": csrf_token_from(page),
            "next": hidden_field(page, "next"),
        },
    )
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def submit_code(client: FlaskClient, page: str, code: str):  # type: ignore[no-untyped-def]
    """Post the second-factor form exactly as it was rendered: its CSRF token and carried fields."""
    data = {name: hidden_field(page, name) for name in ("next", "resume_path", "resume_data")}
    return client.post("/login/second-factor", data={**data, "csrf_token": csrf_token_from(page), "code": code})


def test_password_then_authenticator_code_signs_in_on_the_first_submit(app: Flask, editor: User):
    enrol(editor)
    browser = new_client(app)
    page = password_step(browser, editor, next_value="/plans/7")
    assert "Enter the code from your authenticator app" in page
    response = submit_code(browser, page, pyotp.TOTP(SECRET).now())
    assert EXPIRED not in text_of(response)
    assert redirect_path(response) == "/plans/7"
    assert is_signed_in(browser)


def test_a_wrong_code_then_the_right_one_signs_in(app: Flask, editor: User):
    enrol(editor)
    browser = new_client(app)
    page = password_step(browser, editor)
    wrong = submit_code(browser, page, "000000")
    assert "not right or was already used" in text_of(wrong) and EXPIRED not in text_of(wrong)
    response = submit_code(browser, wrong.get_data(as_text=True), pyotp.TOTP(SECRET).now())
    assert redirect_path(response) == "/plans"


def test_a_recovery_code_signs_in_on_the_first_submit(app: Flask, editor: User):
    codes = enrol(editor)
    browser = new_client(app)
    response = submit_code(browser, password_step(browser, editor), codes[0])
    assert redirect_path(response) == "/plans" and is_signed_in(browser)


def test_the_session_cookie_changes_at_each_step_and_older_ones_do_not_sign_in(app: Flask, editor: User):
    enrol(editor)
    browser = new_client(app)
    browser.get("/login")
    before = session_cookie(browser)
    page = password_step(browser, editor)
    between = session_cookie(browser)
    submit_code(browser, page, pyotp.TOTP(SECRET).now())
    after = session_cookie(browser)
    assert len({before, between, after}) == 3
    assert is_signed_in(browser)
    for stale in (before, between):
        assert stale is not None and not is_signed_in(client_with_cookie(app, stale))


def test_a_code_page_from_another_browser_does_not_work_here(app: Flask, editor: User):
    """The fresh form token belongs to the browser that passed the password step, not to anyone who copies it."""
    enrol(editor)
    victim, attacker = new_client(app), new_client(app)
    page = password_step(victim, editor)
    attacker.get("/login")
    response = submit_code(attacker, page, pyotp.TOTP(SECRET).now())
    assert not is_signed_in(attacker)
    assert response.status_code in (302, 400)


def test_required_enrolment_after_the_password_works_on_the_first_submit(app: Flask, editor: User, org):  # type: ignore[no-untyped-def]
    db.session.add(OrganizationSignIn(organization_id=org.id, mfa_policy=MfaPolicy.EVERYONE.value))
    db.session.commit()
    browser = new_client(app)
    page = browser.get("/login").get_data(as_text=True)
    landed = browser.post(
        "/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)}
    )
    assert redirect_path(landed) == "/account/mfa/enrol"
    enrol_page = browser.get(landed.headers["Location"]).get_data(as_text=True)
    key = re.search(r"data-totp-key>([A-Z2-7 ]+)<", enrol_page)
    assert key, "the set-up key is not shown as text"
    secret = key.group(1).replace(" ", "")
    done = browser.post(
        "/account/mfa/enrol",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token_from(enrol_page)},
    )
    assert done.status_code == 200 and "Save your recovery codes" in text_of(done)
    assert is_signed_in(browser)
    # The page after the rotated session still posts: sign out with its own token.
    security = browser.get("/account/security").get_data(as_text=True)
    assert browser.post("/logout", data={"csrf_token": csrf_token_from(security)}).status_code == 302
    assert not is_signed_in(browser)


def test_reauthentication_then_a_sensitive_form_works(app: Flask, editor: User):
    browser = new_client(app)
    page = browser.get("/login").get_data(as_text=True)
    browser.post("/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)})
    minutes = app.config["REAUTH_MINUTES"]
    app.config["REAUTH_MINUTES"] = -1  # the sign-in a moment ago already counts as too old
    try:
        bounce = browser.get("/account/mfa/enrol")
        assert redirect_path(bounce) == "/reauth"
        reauth_page = browser.get(bounce.headers["Location"]).get_data(as_text=True)
    finally:
        app.config["REAUTH_MINUTES"] = minutes
    done = browser.post(
        "/reauth",
        data={
            "password": PASSWORD,
            "next": hidden_field(reauth_page, "next"),
            "csrf_token": csrf_token_from(reauth_page),
        },
    )
    assert redirect_path(done) == "/account/mfa/enrol"
    enrol_page = browser.get("/account/mfa/enrol").get_data(as_text=True)
    secret = re.search(r"data-totp-key>([A-Z2-7 ]+)<", enrol_page).group(1).replace(" ", "")  # type: ignore[union-attr]
    confirmed = browser.post(
        "/account/mfa/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token_from(enrol_page)}
    )
    assert "Save your recovery codes" in text_of(confirmed)


def test_password_reset_then_sign_in_with_the_second_factor(app: Flask, editor: User):
    enrol(editor)
    browser = new_client(app)
    links: list[str] = []
    with app.test_request_context():
        reset.request_reset(editor.email, ip_address="127.0.0.1", link_for=links.append)
    db.session.commit()
    (token,) = links
    page = browser.get("/reset-password", query_string={"token": token}).get_data(as_text=True)
    new_password = "Another-Long-Passphrase-77"
    done = browser.post(
        "/reset-password",
        data={
            "token": hidden_field(page, "token"),
            "new_password": new_password,
            "csrf_token": csrf_token_from(page),
        },
    )
    assert redirect_path(done) == "/login"
    login_page = browser.get("/login").get_data(as_text=True)
    code_page = browser.post(
        "/login", data={"email": editor.email, "password": new_password, "csrf_token": csrf_token_from(login_page)}
    ).get_data(as_text=True)
    assert redirect_path(submit_code(browser, code_page, pyotp.TOTP(SECRET).now())) == "/plans"


def qr_text_of(page: str) -> str:
    """Draw the page's inline SVG QR code as pixels (segno draws dark modules as horizontal strokes one module
    high) and decode it with zxing-cpp, as a phone camera would read the screen."""
    svg = re.search(r"<svg[^>]*class=\"pw-qr\"[^>]*>.*?</svg>", page, re.S)
    assert svg, "no QR code on the page"
    view = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg.group(0))
    scale = re.search(r'transform="scale\((\d+)\)"', svg.group(0))
    assert view and scale, "the QR code has no viewBox or scale"
    assert int(view.group(1)) >= 200, "the QR code is drawn smaller than 200 px"
    side = int(view.group(1)) // int(scale.group(1))
    strokes = re.search(r'<path stroke="#000" d="([^"]+)"', svg.group(0))
    assert strokes
    pixel = 8
    image = Image.new("L", (side * pixel, side * pixel), 255)
    pen = ImageDraw.Draw(image)
    x = y = 0.0
    for command, args in re.findall(r"([MmHh])([-\d. ]+)", strokes.group(1)):
        numbers = [float(n) for n in args.split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            end = x + numbers[0] if command == "h" else numbers[0]
            top = int(y - 0.5) * pixel
            pen.rectangle([int(x) * pixel, top, int(end) * pixel - 1, top + pixel - 1], fill=0)
            x = end
    found = zxingcpp.read_barcodes(image)
    assert found, "the QR code cannot be read"
    return str(found[0].text)


def test_enrol_sign_out_and_sign_in_again_with_the_code_on_the_first_submit(app: Flask, editor: User):
    """The whole journey with the form tokens a browser would send: set up from the QR code, sign out, sign in."""
    browser = new_client(app)
    login_page = browser.get("/login").get_data(as_text=True)
    browser.post(
        "/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": csrf_token_from(login_page)}
    )
    enrol_page = browser.get("/account/mfa/enrol").get_data(as_text=True)
    uri = qr_text_of(enrol_page)
    secret = re.search(r"data-totp-key>([A-Z2-7 ]+)<", enrol_page).group(1).replace(" ", "")  # type: ignore[union-attr]
    with app.test_request_context():
        assert uri == mfa.provisioning_uri(secret, editor.email)
    totp = pyotp.TOTP(secret)
    done = browser.post("/account/mfa/enrol", data={"code": totp.now(), "csrf_token": csrf_token_from(enrol_page)})
    assert "Save your recovery codes" in text_of(done)
    security = browser.get("/account/security").get_data(as_text=True)
    assert redirect_path(browser.post("/logout", data={"csrf_token": csrf_token_from(security)})) == "/login"
    assert not is_signed_in(browser)

    code_page = password_step(browser, editor)
    signed = submit_code(browser, code_page, totp.at(time.time() + 30))  # the next step's code: new, within drift
    assert redirect_path(signed) == "/plans"
    assert is_signed_in(browser)


def test_new_recovery_codes_after_signing_in_with_a_code_work_on_the_first_submit(app: Flask, editor: User):
    old_codes = enrol(editor)
    browser = new_client(app)
    signed = submit_code(browser, password_step(browser, editor), old_codes[0])
    assert redirect_path(signed) == "/plans"
    security = browser.get("/account/security").get_data(as_text=True)
    fresh = browser.post("/account/mfa/recovery-codes", data={"csrf_token": csrf_token_from(security)})
    assert fresh.status_code == 200 and "Save your recovery codes" in text_of(fresh)
    new_codes = re.findall(r"<code>([a-z2-7-]{19})</code>", fresh.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
