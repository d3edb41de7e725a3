"""Typed configuration for Planwright.

Three classes: ``DevelopmentConfig`` (the embedded default used by ``make run``),
``TestingConfig`` and ``ProductionConfig``. Every value can be overridden from the
environment; ``ProductionConfig.validate()`` refuses to start with unsafe settings.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Values that must never be used as a production secret.
KNOWN_WEAK_SECRETS = frozenset({"", "dev", "secret", "changeme", "development", "test", "planwright"})
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe or incomplete; the message says how to fix it."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from exc


def _env_path(name: str, default: Path) -> str:
    return str(Path(os.environ.get(name) or default).resolve())


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI: str = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'planwright.db'}"
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}
    EXPORT_DIR: str = _env_path("EXPORT_DIR", BASE_DIR / "exports")
    # PDF exports (app/exports): rendered off the request thread, in a process pool or, with REDIS_URL, RQ jobs.
    REDIS_URL: str = os.environ.get("REDIS_URL", "")
    EXPORT_WORKERS: int = _env_int("EXPORT_WORKERS", 2)
    EXPORT_TIMEOUT_SECONDS: int = _env_int("EXPORT_TIMEOUT_SECONDS", 60)
    EXPORT_MEMORY_MB: int = _env_int("EXPORT_MEMORY_MB", 2048)  # address-space cap of a rendering process
    EXPORT_MAX_MB: int = _env_int("EXPORT_MAX_MB", 200)  # largest PDF kept
    EXPORT_QUEUE_TIMEOUT_SECONDS: int = _env_int("EXPORT_QUEUE_TIMEOUT_SECONDS", 900)  # queued without a worker
    EXPORT_SYNC = False  # render inside the calling thread: tests only
    EXPORT_ON_ADOPTION: bool = os.environ.get("EXPORT_ON_ADOPTION", "1") != "0"  # render adopted versions at once
    EXPORT_RATE_PER_MINUTE: int = _env_int("EXPORT_RATE_PER_MINUTE", 20)  # new renders per person a minute
    # Board meetings are entered in this local time and stored in UTC (an IANA zone name).
    GOVERNANCE_TIMEZONE: str = os.environ.get("GOVERNANCE_TIMEZONE", "America/New_York")
    PLAN_TEMPLATE_DIR: str = _env_path("PLAN_TEMPLATE_DIR", BASE_DIR / "plans")
    STRATML_MAX_BYTES: int = _env_int("STRATML_MAX_BYTES", 10 * 1024 * 1024)  # largest StratML file imported
    STRATML_MAX_ELEMENTS: int = _env_int("STRATML_MAX_ELEMENTS", 2000)  # goals + objectives one import may create
    STRATML_MAX_SECONDS: int = _env_int("STRATML_MAX_SECONDS", 60)  # an import running longer is stopped, rolled back
    # The published StratML XML Schemas are not shipped with the code; validation reads them from here.
    STRATML_SCHEMA_DIR: str = _env_path("STRATML_SCHEMA_DIR", BASE_DIR.parent / "shared" / "standards" / "stratml")

    # Sessions: the cookie only carries a random session id; the server-side row is what
    # makes a session valid (logout and password change revoke it).
    SESSION_COOKIE_NAME = "planwright_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    IDLE_TIMEOUT_MINUTES: int = _env_int("IDLE_TIMEOUT_MINUTES", 30)
    ABSOLUTE_SESSION_HOURS: int = _env_int("ABSOLUTE_SESSION_HOURS", 12)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)  # remember-me is not offered

    # CSRF tokens live as long as the session: a long drafting session must not expire them.
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT: int | None = None

    # Request size limits: a section body is capped at 200,000 characters by the form.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    MAX_FORM_PARTS = 1000

    # Login throttling (per account and per client IP, counted in the database).
    LOGIN_MAX_FAILURES_PER_ACCOUNT: int = _env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 10)
    LOGIN_MAX_FAILURES_PER_IP: int = _env_int("LOGIN_MAX_FAILURES_PER_IP", 50)
    LOGIN_THROTTLE_WINDOW_MINUTES: int = _env_int("LOGIN_THROTTLE_WINDOW_MINUTES", 15)

    # Sign-in hardening (app/auth): re-authentication, MFA, single sign-on and password reset.
    # Sensitive actions (password, MFA, roles, sign-in settings, decisions) ask for the password or a
    # second-factor code again when the last authentication is older than this.
    REAUTH_MINUTES: int = _env_int("REAUTH_MINUTES", 15)
    MFA_ISSUER_NAME: str = os.environ.get("MFA_ISSUER_NAME", "Planwright")  # the name shown in authenticator apps
    MFA_PENDING_MINUTES = 5  # time allowed between the password and the second-factor code
    # Reset links expire after this many minutes (at most 60) and are single-use.
    PASSWORD_RESET_MINUTES: int = _env_int("PASSWORD_RESET_MINUTES", 30)
    PASSWORD_RESET_MAX_PER_HOUR: int = _env_int("PASSWORD_RESET_MAX_PER_HOUR", 5)  # per account and per address × 4
    # OpenID Connect: outbound requests go only to the configured issuer's origin, over HTTPS; plain HTTP is
    # allowed only to a loopback issuer (127.0.0.1, ::1, localhost) when this is on (never in production).
    OIDC_HTTP_TIMEOUT_SECONDS: int = _env_int("OIDC_HTTP_TIMEOUT_SECONDS", 5)
    OIDC_ALLOW_HTTP_LOOPBACK = True
    OIDC_STATE_MINUTES = 10  # how long a sign-in started at the provider may take
    OIDC_CLOCK_LEEWAY_SECONDS = 60  # tolerated clock difference for exp, iat and nbf
    OIDC_CACHE_SECONDS: int = _env_int("OIDC_CACHE_SECONDS", 300)  # providers' discovery documents and key sets
    # Key for the offices' SSO client secrets stored in the database (AES-GCM, HKDF-derived); SECRET_KEY when empty.
    SSO_SECRET_KEY: str = os.environ.get("SSO_SECRET_KEY", "")

    # Outgoing e-mail (password reset links, notifications). Without MAIL_SERVER, development and tests write
    # the message to the log; production never logs message bodies, and password reset is then switched off.
    MAIL_SERVER: str = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT: int = _env_int("MAIL_PORT", 587)
    MAIL_USE_TLS: bool = os.environ.get("MAIL_USE_TLS", "true").lower() in ("1", "true", "yes")
    MAIL_USERNAME: str = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD: str = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM: str = os.environ.get("MAIL_FROM", "Planwright <planwright@localhost>")
    MAIL_LOG_WHEN_UNCONFIGURED = True
    MAIL_TIMEOUT_SECONDS: int = _env_int("MAIL_TIMEOUT_SECONDS", 10)  # one SMTP conversation, in the mail worker
    # Mail leaves through an outbox (app/notifications): with REDIS_URL, RQ jobs run by `flask mail worker`;
    # otherwise a background thread in each web process (MAIL_BACKGROUND) drains the outbox table.
    MAIL_BACKGROUND: bool = os.environ.get("MAIL_BACKGROUND", "1") != "0"
    MAIL_POLL_SECONDS: int = _env_int("MAIL_POLL_SECONDS", 30)  # how often the worker looks for retries that are due
    # The address people use to reach this instance; every link in an e-mail starts with it (no path relative
    # to an unknown host, and never taken from a request's Host header).
    PUBLIC_BASE_URL: str = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")

    # JSON API rate limit per API token (requests without a usable token: per client address), Flask-Limiter
    # syntax. Counted in Redis when REDIS_URL is set (shared by all workers); otherwise in each process's memory.
    API_RATE_LIMIT: str = os.environ.get("API_RATE_LIMIT", "600 per minute")
    RATELIMIT_STORAGE_URI: str = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: count in this process rather than fail API calls

    # Number of reverse proxies in front of the app (0 = none); see README "Production".
    TRUSTED_PROXY_COUNT: int = _env_int("TRUSTED_PROXY_COUNT", 0)

    # Operations (app/core/logging.py, app/core/database.py): one log line per request, JSON or text.
    LOG_FORMAT: str = os.environ.get("LOG_FORMAT", "json").lower()
    LOG_REQUESTS: bool = os.environ.get("LOG_REQUESTS", "1") != "0"
    # How long a SQLite writer waits for another worker's write lock before failing (embedded default only).
    SQLITE_BUSY_TIMEOUT_MS: int = _env_int("SQLITE_BUSY_TIMEOUT_MS", 5000)
    READYZ_TIMEOUT_SECONDS: int = _env_int("READYZ_TIMEOUT_SECONDS", 2)  # each readiness check (Redis)
    SEND_HSTS = False
    SEED_DEMO_ALLOWED = True

    @classmethod
    def validate(cls) -> None:
        """Check the settings; raise ConfigError naming the setting and the fix."""
        if cls.IDLE_TIMEOUT_MINUTES < 1:
            raise ConfigError("IDLE_TIMEOUT_MINUTES must be at least 1.")
        if not 1 <= cls.PASSWORD_RESET_MINUTES <= 60:
            raise ConfigError("PASSWORD_RESET_MINUTES must be from 1 to 60: reset links must expire within an hour.")
        if cls.REAUTH_MINUTES < 1:
            raise ConfigError("REAUTH_MINUTES must be at least 1.")
        if cls.LOG_FORMAT not in ("json", "text"):
            raise ConfigError(f"LOG_FORMAT must be json or text, got {cls.LOG_FORMAT!r}.")
        if cls.SQLITE_BUSY_TIMEOUT_MS < 0:
            raise ConfigError("SQLITE_BUSY_TIMEOUT_MS must be 0 or more (milliseconds; 5000 is a good value).")
        if cls.PUBLIC_BASE_URL and not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", cls.PUBLIC_BASE_URL):
            raise ConfigError(
                f"PUBLIC_BASE_URL must be the address people open, like https://<host name>, got "
                f"{cls.PUBLIC_BASE_URL!r}."
            )


class DevelopmentConfig(Config):
    """The embedded default: SQLite under instance/, a per-machine random secret."""

    ENV_NAME = "development"
    PUBLIC_BASE_URL = Config.PUBLIC_BASE_URL or "http://127.0.0.1:5000"  # `make run PORT=...` sets the real one

    @classmethod
    def validate(cls) -> None:
        super().validate()
        if not cls.SECRET_KEY:
            cls.SECRET_KEY = _local_secret_key()


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-for-checks"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = False  # one test module switches it back on
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 10
    LOGIN_MAX_FAILURES_PER_IP = 50
    EXPORT_SYNC = True  # tests/exports also run the real process pool and, with REDIS_URL, RQ
    EXPORT_ON_ADOPTION = False  # the tests that want it switch it on
    REDIS_URL = ""  # the RQ tests read REDIS_URL from the environment themselves
    RATELIMIT_STORAGE_URI = "memory://"  # tests/api/test_rate_limit.py sets Redis itself
    # Test tokens' ids recur once a test's transaction is rolled back, so the suite's own calls must not add up
    # to a limit; the rate-limit tests set a small one.
    API_RATE_LIMIT = "100000 per minute"
    MAIL_SERVER = ""  # tests that e-mail set their own local server
    MAIL_BACKGROUND = False  # tests drain the outbox themselves
    PUBLIC_BASE_URL = "http://localhost"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    SEND_HSTS = True
    SEED_DEMO_ALLOWED = False
    OIDC_ALLOW_HTTP_LOOPBACK = False
    MAIL_LOG_WHEN_UNCONFIGURED = False

    @classmethod
    def validate(cls) -> None:
        super().validate()
        key = cls.SECRET_KEY
        if key.lower() in KNOWN_WEAK_SECRETS or len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                "SECRET_KEY is missing, a known default, or shorter than "
                f"{MIN_SECRET_KEY_LENGTH} characters. It signs session cookies and CSRF tokens, so a "
                "guessable key lets anyone forge a login. Set it in the environment, for example: "
                "export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')\""
            )
        if "DATABASE_URL" not in os.environ:
            raise ConfigError(
                "DATABASE_URL is not set. Production uses PostgreSQL, e.g. "
                "DATABASE_URL=postgresql+psycopg://planwright@127.0.0.1:5432/planwright"
            )
        if cls.MAIL_SERVER and not cls.PUBLIC_BASE_URL:
            raise ConfigError(
                "PUBLIC_BASE_URL is not set, so e-mails could not link back to Planwright. Set it to the address "
                "people open: PUBLIC_BASE_URL=https://<host name>"
            )


def _local_secret_key() -> str:
    """A random key kept in instance/secret_key so development sessions survive restarts."""
    import secrets

    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Pick the configuration class named by PLANWRIGHT_ENV (default: development)."""
    name = os.environ.get("PLANWRIGHT_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise ConfigError(f"PLANWRIGHT_ENV must be one of {', '.join(CONFIGS)}; got {name!r}.") from exc
