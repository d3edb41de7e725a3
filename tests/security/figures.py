"""The figures the security sweep reports: each test adds what it checked; the conftest prints and saves them."""

from __future__ import annotations

from collections import Counter
from typing import Any

# Counters (cells checked, leaks, server errors...) summed over the run, and facts (bandit counts, pip-audit
# status, the Hypothesis profile) set once. Tests run in one process, so a module-level store is enough.
COUNTS: Counter[str] = Counter()
FACTS: dict[str, Any] = {}


def add(name: str, amount: int = 1) -> None:
    COUNTS[name] += amount


def note(name: str, value: Any) -> None:
    FACTS[name] = value
