"""Planwright: write, govern and publish a public-sector IT strategic plan."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import Config, ConfigError, config_from_env

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None) -> Flask:
    config_class = config_class or config_from_env()
    try:
        config_class.validate()
    except ConfigError as exc:  # a clear message, not a traceback, for whoever starts the server
        raise SystemExit(f"Planwright cannot start: {exc}") from None
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(ROOT / "instance"))
    app.config.from_object(config_class)
    register_extensions(app)
    from app.core.logging import register_logging

    register_logging(app)  # first: its request id exists for every later hook, its log line sees the final status
    from app.core.forms import register_input_bounds

    register_input_bounds(app)  # before the routes: every <int:...> is bounded
    register_blueprints(app)
    from app.notifications import register_mail

    register_mail(app)  # outgoing e-mail leaves through the outbox, after the commit
    from app.core.errors import register_error_handlers
    from app.core.filters import register_template_helpers
    from app.core.security import register_security

    register_security(app)
    register_error_handlers(app)
    register_template_helpers(app)
    from app.cli import register_cli

    register_cli(app)
    _check_plan_templates(app)
    return app


def _check_plan_templates(app: Flask) -> None:
    """Fail at start-up, naming the file, rather than on the first "new plan" page."""
    from app.plans.templates import TemplateError, all_templates

    directory = app.config["PLAN_TEMPLATE_DIR"]
    try:
        found = all_templates(directory)
    except TemplateError as exc:
        raise SystemExit(f"Planwright cannot start: plan template {exc}") from None
    if not found:
        raise SystemExit(f"Planwright cannot start: no plan templates (*.yaml) in {directory}")


def register_extensions(app: Flask) -> None:
    from app import models as _models  # noqa: F401 - every domain's models on the metadata before first use
    from app.core.database import configure_engine_events
    from app.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are validated server-side (app.auth.sessions)
    with app.app_context():
        configure_engine_events(db.engine)


def register_blueprints(app: Flask) -> None:
    from app.api.settings_views import bp as api_tokens_bp
    from app.api.views import bp as api_bp
    from app.architecture.views import bp as architecture_bp
    from app.audit.views import bp as audit_bp
    from app.auth.views import bp as auth_bp
    from app.core.views import bp as core_bp
    from app.exports.views import bp as exports_bp
    from app.extensions import csrf
    from app.governance.views import bp as governance_bp
    from app.objectives.views import bp as objectives_bp
    from app.plans.views import bp as plans_bp
    from app.portfolio.views import bp as portfolio_bp
    from app.publication.views import bp as public_bp
    from app.stratml.views import bp as stratml_bp
    from app.workforce.views import bp as workforce_bp

    blueprints = (core_bp, auth_bp, plans_bp, objectives_bp, portfolio_bp, governance_bp, workforce_bp, architecture_bp)
    for blueprint in (*blueprints, exports_bp, audit_bp, stratml_bp, public_bp, api_bp, api_tokens_bp):
        app.register_blueprint(blueprint)
    # The API authenticates each request by its bearer token, never by the session cookie, so a
    # cross-site form cannot act through it: CSRF tokens do not apply there.
    csrf.exempt(api_bp)
