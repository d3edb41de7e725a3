"""Governance pages: reviews."""

from __future__ import annotations

from app.governance.views import bp  # noqa: F401
