"""Governance services: boards."""

from __future__ import annotations
