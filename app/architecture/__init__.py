"""Enterprise architecture: shared services, principles, and reuse across organizations."""
