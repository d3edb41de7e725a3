"""Governance services: meetings."""

from __future__ import annotations
