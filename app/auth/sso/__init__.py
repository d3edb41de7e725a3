"""An organization's sign-in settings (MFA policy, OpenID Connect single sign-on, group → role mapping) and
signing in through its identity provider. Services flush and audit; callers commit.

Trust model (who may vouch for whom): see app/auth/sso/domains.py and app/auth/sso/provisioning.py.

Directory rules: the provider's groups decide the role at every sign-in; someone in no mapped group loses
their membership of the organization and is refused. The organization's break-glass administrator is never
changed by a sign-in (they are the way back in when the provider is down or misconfigured).
"""

from app.auth.sso.client_secret import ENV_PREFIX, env_name, secret_status
from app.auth.sso.domains import (
    all_claims,
    claim_domain,
    claimed_domains,
    release_domain,
    set_mfa_trusted,
)
from app.auth.sso.refusals import SsoRefused
from app.auth.sso.settings import (
    DOMAIN,
    ROLE_RANK,
    SignInFields,
    format_group_roles,
    parse_group_roles,
    password_sign_in_blocked,
    settings_for_email,
    settings_of,
    update_settings,
)
from app.auth.sso.sign_in import SsoSignIn, finish_sign_in, start_sign_in
from app.core.errors import DomainError  # callers catch sso.DomainError

__all__ = [
    "DOMAIN",
    "ENV_PREFIX",
    "ROLE_RANK",
    "DomainError",
    "SignInFields",
    "SsoRefused",
    "SsoSignIn",
    "all_claims",
    "claim_domain",
    "claimed_domains",
    "env_name",
    "finish_sign_in",
    "format_group_roles",
    "parse_group_roles",
    "password_sign_in_blocked",
    "release_domain",
    "secret_status",
    "set_mfa_trusted",
    "settings_for_email",
    "settings_of",
    "start_sign_in",
    "update_settings",
]
