"""Second factor (challenge, set-up, recovery codes, admin reset), re-authentication, password reset, single
sign-on and the organization's sign-in settings. Routes on the ``auth`` blueprint.

``second_factor``, ``password_pages`` and ``single_sign_on`` add the routes when imported.
"""

from app.auth.security_views.password_pages import forgot_password, reauth, reset_password
from app.auth.security_views.second_factor import (
    account_security,
    admin_reset_mfa,
    mfa_challenge,
    mfa_disable,
    mfa_enrol,
    mfa_regenerate_codes,
)
from app.auth.security_views.single_sign_on import sign_in_settings, sso_callback, sso_start

__all__ = [
    "account_security",
    "admin_reset_mfa",
    "forgot_password",
    "mfa_challenge",
    "mfa_disable",
    "mfa_enrol",
    "mfa_regenerate_codes",
    "reauth",
    "reset_password",
    "sign_in_settings",
    "sso_callback",
    "sso_start",
]
