"""Pages that belong to no domain: home, accessibility statement, health check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

bp = Blueprint("core", __name__)


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    return redirect(url_for("plans.list_plans"))


@bp.get("/accessibility")
def accessibility():  # type: ignore[no-untyped-def]
    return render_template("core/accessibility.html")


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    return {"status": "ok"}
