"""Governance services (flush, audit, never commit), one module per part."""
