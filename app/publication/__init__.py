"""Public, read-only publication of adopted plans: HTML, PDF and open data."""
