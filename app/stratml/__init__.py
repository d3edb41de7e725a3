"""StratML (ISO 17469-1) export and import of plans."""
