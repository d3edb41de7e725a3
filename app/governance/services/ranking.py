"""Governance services: ranking."""

from __future__ import annotations
