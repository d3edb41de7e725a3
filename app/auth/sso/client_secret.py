"""An organization's OpenID Connect client secret: where it comes from and how it is kept.

* The office admin types the secret into a password field. Only its AES-256-GCM encryption is stored, under a
  key derived (HKDF-SHA256, its own label) from ``SSO_SECRET_KEY`` when that is set, otherwise from
  ``SECRET_KEY``; the organization id is the associated data, so a sealed secret copied to another office's row
  does not open. The secret is never shown again: the settings page only says whether one is stored.
* Alternatively the instance operator sets ``PLANWRIGHT_SSO_SECRET_<SLUG>`` (slug in capitals, hyphens as
  underscores) in the server's environment. That name is fixed by the organization's slug: no setting an
  office admin controls can name any other environment variable.
* Changing the key makes stored secrets unreadable: sign-in then says so and the admin types the secret again.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from app.auth.models import Organization, OrganizationSignIn

ENV_PREFIX = "PLANWRIGHT_SSO_SECRET_"
_VERSION = "v1:"


def env_name(organization: Organization) -> str:
    """The only environment variable the server reads an organization's client secret from."""
    return ENV_PREFIX + organization.slug.upper().replace("-", "_")


def _key() -> bytes:
    material = current_app.config.get("SSO_SECRET_KEY") or current_app.config["SECRET_KEY"]
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"planwright sso client secret v1")
    return hkdf.derive(str(material).encode())


def _aad(organization_id: int) -> bytes:
    return b"planwright sso client secret for organization " + str(organization_id).encode()


def seal(secret: str, organization_id: int) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key()).encrypt(nonce, secret.encode(), _aad(organization_id))
    return _VERSION + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(stored: str, organization_id: int) -> str | None:
    """The secret, or None when there is none or it cannot be opened (key changed, row altered or moved)."""
    if not stored.startswith(_VERSION):
        return None
    try:
        raw = base64.urlsafe_b64decode(stored[len(_VERSION) :].encode())
        return AESGCM(_key()).decrypt(raw[:12], raw[12:], _aad(organization_id)).decode()
    except (InvalidTag, ValueError, binascii.Error):
        return None


def client_secret(settings: OrganizationSignIn, organization: Organization) -> str:
    """The secret to send to the organization's own token endpoint: the stored one, else the operator's
    environment variable; empty when there is neither (or the stored one no longer opens)."""
    if settings.client_secret_encrypted:
        return unseal(settings.client_secret_encrypted, organization.id) or ""
    return os.environ.get(env_name(organization), "")


def secret_status(settings: OrganizationSignIn, organization: Organization) -> str:
    """What the settings page may say about the secret, never the secret: stored, unreadable, environment, none."""
    if settings.client_secret_encrypted:
        return "stored" if unseal(settings.client_secret_encrypted, organization.id) is not None else "unreadable"
    return "environment" if os.environ.get(env_name(organization)) else "none"
