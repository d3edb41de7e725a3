"""The StratML vocabularies Planwright reads and writes, and their XML Schemas (compiled once, cached).

The schema files are the published ones, kept outside the code in ``STRATML_SCHEMA_DIR`` (default: the
shared standards folder beside the checkout, ``../shared/standards/stratml``). Without them exports still
work and imports are read without validation, saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import current_app, has_app_context
from lxml import etree

PART1_ISO = "urn:ISO:std:iso:17469:tech:xsd:stratml_core"
PART2_2016 = "urn:ISO:std:iso:17469:tech:xsd:PerformancePlanOrReport"
PART1_LEGACY = "http://www.stratml.net"
PART2_LEGACY = "http://www.stratml.net/PerformancePlanOrReport"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

DEFAULT_SCHEMA_DIR = Path(__file__).resolve().parents[3] / "shared" / "standards" / "stratml"


@dataclass(frozen=True)
class Vocabulary:
    """One StratML version: its namespace, root element, schema file and how people name it."""

    namespace: str
    root: str
    schema_file: str
    label: str
    part: int
    legacy: bool


VOCABULARIES = {
    v.namespace: v
    for v in (
        Vocabulary(
            PART1_ISO, "StrategicPlan", "StrategicPlanISOVersion20140401.xsd", "StratML Part 1 (ISO 17469-1)", 1, False
        ),
        Vocabulary(
            PART2_2016,
            "PerformancePlanOrReport",
            "PerformancePlanOrReport20160216.xsd",
            "StratML Part 2 (2016)",
            2,
            False,
        ),
        Vocabulary(
            PART1_LEGACY, "StrategicPlan", "legacy/StrategicPlan.xsd", "StratML Part 1 (pre-ISO, 2009)", 1, True
        ),
        Vocabulary(
            PART2_LEGACY,
            "PerformancePlanOrReport",
            "legacy/PerformancePlanOrReport.xsd",
            "StratML Part 2 (pre-ISO, 2010)",
            2,
            True,
        ),
    )
}
ROOTS = {"StrategicPlan": 1, "PerformancePlanOrReport": 2}


def schema_dir() -> Path:
    configured = current_app.config.get("STRATML_SCHEMA_DIR") if has_app_context() else None
    return Path(configured) if configured else DEFAULT_SCHEMA_DIR


def schema_for(namespace: str) -> etree.XMLSchema | None:
    """The compiled schema of a known namespace, or None when its file is not installed."""
    vocabulary = VOCABULARIES.get(namespace)
    if vocabulary is None:
        return None
    return _compile(str(schema_dir() / vocabulary.schema_file))


@cache
def _compile(path: str) -> etree.XMLSchema | None:
    if not Path(path).is_file():
        return None
    # the schema files are trusted local files, but they are parsed as strictly as uploads anyway
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.XMLSchema(etree.parse(path, parser))
