"""The second factor: TOTP (RFC 6238) with single-use recovery codes. Services flush and audit; callers commit.

Storage decisions:

* The TOTP secret is encrypted with AES-256-GCM under a key derived from ``SECRET_KEY`` (HKDF-SHA256, its own
  ``info`` label), with the user id as associated data, so a copied row is useless without the key and cannot
  be moved to another user. Rotating ``SECRET_KEY`` therefore means users set up their authenticator again
  (an administrator resets their MFA). The secret is shown only on the set-up page, before it is switched on.
* Recovery codes are 80 random bits each (16 base32 letters), stored as SHA-256. A slow hash (argon2) is for
  low-entropy secrets people choose; for 2^80 random values a fast hash is already beyond brute force, and
  trying ten argon2 hashes on every recovery attempt would cost half a second for nothing.
* The last accepted time step is stored: a code (or an older one) is never accepted twice (SECURITY.md R04).
* A code is accepted for the current 30-second step and one step either side (clock drift).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, select

from app.audit.services import record
from app.auth.models import (
    LoginAttempt,
    Membership,
    MfaPolicy,
    MfaRecoveryCode,
    Organization,
    OrganizationSignIn,
    Role,
    User,
    UserMfa,
)
from app.auth.sessions import end_all_sessions
from app.core.db import utcnow
from app.core.errors import DomainError
from app.extensions import db

STEP_SECONDS = 30
WINDOW_STEPS = 1
RECOVERY_CODE_COUNT = 10
_AAD_PREFIX = b"planwright-totp-user:"


# --- secrets and codes -------------------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh 160-bit TOTP secret in base32, as authenticator apps expect."""
    return pyotp.random_base32()


def _key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"planwright totp secret v1")
    return hkdf.derive(current_app.config["SECRET_KEY"].encode())


def encrypt_secret(secret: str, user_id: int) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key()).encrypt(nonce, secret.encode(), _AAD_PREFIX + str(user_id).encode())
    return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt_secret(stored: str, user_id: int) -> str | None:
    """The secret, or None when it cannot be decrypted (the key changed or the row was altered)."""
    if not stored.startswith("v1:"):
        return None
    raw = base64.urlsafe_b64decode(stored[3:].encode())
    try:
        return AESGCM(_key()).decrypt(raw[:12], raw[12:], _AAD_PREFIX + str(user_id).encode()).decode()
    except InvalidTag:
        return None


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=current_app.config["MFA_ISSUER_NAME"])


QR_MODULE_PX = 5  # pixels per QR module: a typical set-up code (about 53 modules with its margin) is 265 px wide
QR_QUIET_ZONE = 4  # blank modules around the code, as the QR standard asks, so phone cameras find its edges


def qr_code_svg(uri: str) -> Markup:
    """The set-up QR code as inline SVG: drawn here, no external request, no style attributes (CSP).

    It carries its natural size (width and height) and a viewBox: a page narrower than the code shrinks it
    whole (``max-width: 100%`` in the style sheet) instead of cutting its edges off.
    """
    code = segno.make(uri, error="m")
    svg = code.svg_inline(
        scale=QR_MODULE_PX,
        border=QR_QUIET_ZONE,
        dark="#000",
        light="#fff",
        svgclass="pw-qr",
        lineclass=None,
        title="QR code for your authenticator",
    )
    side = code.symbol_size(scale=QR_MODULE_PX, border=QR_QUIET_ZONE)[0]
    attributes = f'role="img" aria-label="QR code for your authenticator app" viewBox="0 0 {side} {side}" '
    return Markup(svg.replace("<svg ", "<svg " + attributes, 1))  # noqa: S704 - segno's own SVG, no user text


def format_key(secret: str) -> str:
    """The manual key in groups of four, easier to type."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, *, at: float, last_used_step: int) -> int | None:
    """The time step ``code`` is valid for at unix time ``at`` (±1 step), if later than ``last_used_step``."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(at // STEP_SECONDS)
    for step in range(current - WINDOW_STEPS, current + WINDOW_STEPS + 1):
        if step > last_used_step and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _normalize_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_normalize_recovery(code).encode()).hexdigest()


def _new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()  # 80 bits, 16 letters and digits
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes


# --- queries -------------------------------------------------------------------------------------------------


def mfa_of(user: User) -> UserMfa | None:
    return db.session.get(UserMfa, user.id)


def has_mfa(user: User) -> bool:
    return db.session.scalar(select(UserMfa.user_id).where(UserMfa.user_id == user.id)) is not None


def unused_recovery_codes(user: User) -> int:
    query = select(func.count()).where(MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.used_at.is_(None))
    return db.session.scalar(query) or 0


def mfa_required_for(user: User) -> bool:
    """Whether any of the user's organizations requires a second factor of them (its MFA policy)."""
    rows = db.session.execute(
        select(OrganizationSignIn.organization_id, OrganizationSignIn.mfa_policy).where(
            OrganizationSignIn.organization_id.in_(user.organization_ids)
        )
    )
    policies = {org_id: policy for org_id, policy in rows}
    if MfaPolicy.EVERYONE.value in policies.values():
        return True
    strict = [org_id for org_id, policy in policies.items() if policy == MfaPolicy.ADMINS_AND_BOARD.value]
    if not strict:
        return False
    if any(user.role_in(org_id) is Role.ADMIN for org_id in strict):
        return True
    from app.governance.models import Board, BoardMember  # read-only: board members need a second factor

    on_board = (
        select(BoardMember.id).join(Board).where(BoardMember.user_id == user.id, Board.organization_id.in_(strict))
    )
    return db.session.scalar(on_board.limit(1)) is not None


# --- services -------------------------------------------------------------------------------------------------


def enable_mfa(user: User, secret: str, code: str, *, at: float | None = None) -> list[str]:
    """Switch TOTP on once ``code`` proves the authenticator works; return the new recovery codes (shown once).

    Setting up again replaces the previous authenticator and recovery codes.
    """
    at = time.time() if at is None else at
    step = matching_step(secret, code, at=at, last_used_step=0)
    if step is None:
        raise DomainError(
            "That code does not match. Check the time on your phone is set automatically, then type the "
            "6-digit code your authenticator app shows now."
        )
    existing = mfa_of(user)
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    db.session.add(UserMfa(user_id=user.id, secret_encrypted=encrypt_secret(secret, user.id), last_used_step=step))
    codes = _replace_recovery_codes(user)
    record(
        "auth.mfa_enrolled",
        organization_id=None,
        object_type="user",
        object_id=user.id,
        summary=f"{user.email} set up an authenticator app" + (" (replacing the previous one)" if existing else ""),
        actor_id=user.id,
    )
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    codes = _new_recovery_codes()
    db.session.add_all(MfaRecoveryCode(user_id=user.id, code_hash=_hash_recovery(code)) for code in codes)
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    if not has_mfa(user):
        raise DomainError("Set up an authenticator app first; recovery codes come with it.")
    codes = _replace_recovery_codes(user)
    record(
        "auth.mfa_recovery_codes_regenerated",
        organization_id=None,
        object_type="user",
        object_id=user.id,
        summary=f"{user.email} made new recovery codes; the old ones no longer work",
        actor_id=user.id,
    )
    return codes


def _record_attempt(user: User, ip_address: str, succeeded: bool) -> None:
    db.session.add(LoginAttempt(email=user.email, ip_address=ip_address, succeeded=succeeded, kind="mfa"))


def verify_second_factor(user: User, code: str, *, ip_address: str, at: float | None = None) -> str:
    """Check a TOTP code or a recovery code, throttled like passwords. Returns "totp" or "recovery".

    Raises services.LoginThrottled or DomainError; every outcome is recorded (the caller commits either way).
    """
    from app.auth.services import check_throttle

    check_throttle(user.email, ip_address)
    at = time.time() if at is None else at
    mfa = mfa_of(user)
    secret = decrypt_secret(mfa.secret_encrypted, user.id) if mfa else None
    if mfa is not None and secret is not None:
        step = matching_step(secret, code, at=at, last_used_step=mfa.last_used_step)
        if step is not None:
            mfa.last_used_step = step
            _record_attempt(user, ip_address, True)
            return "totp"
    if mfa is not None and _use_recovery_code(user, code):
        _record_attempt(user, ip_address, True)
        left = unused_recovery_codes(user)
        record(
            "auth.mfa_recovery_code_used",
            organization_id=None,
            object_type="user",
            object_id=user.id,
            summary=f"{user.email} used a recovery code; {left} left",
            actor_id=user.id,
        )
        return "recovery"
    _record_attempt(user, ip_address, False)
    record(
        "auth.mfa_failed",
        organization_id=None,
        object_type="user",
        object_id=user.id,
        summary=f"Wrong or reused second-factor code for {user.email}",
        actor_id=None,
    )
    raise DomainError(
        "That code is not right or was already used. Type the 6-digit code your authenticator app shows now "
        "(a new one appears every 30 seconds), or one of your recovery codes."
    )


def _use_recovery_code(user: User, code: str) -> bool:
    normalized = _normalize_recovery(code)
    if len(normalized) != 16:
        return False
    row = db.session.scalar(
        select(MfaRecoveryCode).where(
            MfaRecoveryCode.user_id == user.id,
            MfaRecoveryCode.code_hash == _hash_recovery(normalized),
            MfaRecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    db.session.flush()
    return True


def disable_mfa(user: User) -> None:
    """The user switches their own second factor off (refused when their organization requires it)."""
    if mfa_required_for(user):
        raise DomainError(
            "Your organization requires a second factor, so it cannot be switched off. To move to a new phone, "
            "set up the authenticator again instead."
        )
    _remove_mfa(user)
    record(
        "auth.mfa_disabled",
        organization_id=None,
        object_type="user",
        object_id=user.id,
        summary=f"{user.email} switched off their second factor",
        actor_id=user.id,
    )


def reset_mfa(user: User, organization: Organization, *, actor: User) -> None:
    """An administrator removes a user's authenticator (lost phone); the user is signed out everywhere and sets
    it up again at next sign-in when their organization requires it."""
    if not has_mfa(user):
        raise DomainError(f"{user.name} has no authenticator set up, so there is nothing to reset.")
    _remove_mfa(user)
    end_all_sessions(user)
    record(
        "auth.mfa_reset",
        organization_id=organization.id,
        object_type="user",
        object_id=user.id,
        summary=f"{actor.email} reset the second factor of {user.email}; their sessions were ended",
        actor_id=actor.id,
    )


def _remove_mfa(user: User) -> None:
    db.session.execute(delete(UserMfa).where(UserMfa.user_id == user.id))
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    db.session.flush()


def members_with_mfa(organization: Organization) -> set[int]:
    """Ids of the organization's members who have an authenticator (one query, for the users list)."""
    query = select(UserMfa.user_id).join(Membership, Membership.user_id == UserMfa.user_id)
    return set(db.session.scalars(query.where(Membership.organization_id == organization.id)))
