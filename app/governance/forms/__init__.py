"""Governance forms, one module per part."""
