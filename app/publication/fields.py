"""THE declaration of what the public site shows. Nothing outside these lists is ever published.

Every public output (the plan page, its PDF, the CSV files and the JSON document) is built from rows that
``project`` cut down to exactly these fields, so adding a field here is the one way to publish more.

Deliberately absent: risks, scores and score comments, comments, decisions' rationale and conditions,
business cases, workforce, audit, version notes, milestones, descriptions and summaries typed after adoption,
and every owner, sponsor, user name or e-mail address (owners are free text that may hold a person's address).
Objectives, initiatives, costs, KPIs and their measurements are taken as the board adopted them (the version's
snapshot, app/plans/snapshots), so the public edition, the plan PDF and the open data of one version always agree;
residents see later progress when a later version is adopted and published (measurement notes and who entered
them stay internal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.exports.spreadsheets import Kind

JSON_TYPES = {
    Kind.TEXT: "string",
    Kind.INTEGER: "integer",
    Kind.NUMBER: 'decimal (a string, e.g. "42.5")',
    Kind.MONEY: 'decimal amount in dollars (a string, e.g. "250000.00")',
    Kind.DATE: "date (YYYY-MM-DD)",
}


@dataclass(frozen=True)
class PublicField:
    name: str
    kind: Kind
    description: str

    @property
    def json_type(self) -> str:
        return JSON_TYPES[self.kind]


def _f(name: str, kind: Kind, description: str) -> PublicField:
    return PublicField(name, kind, description)


TEXT, INTEGER, NUMBER, MONEY, DATE = Kind.TEXT, Kind.INTEGER, Kind.NUMBER, Kind.MONEY, Kind.DATE

PLAN_FIELDS: tuple[PublicField, ...] = (
    _f("organization", TEXT, "The office that wrote and adopted the plan."),
    _f("title", TEXT, "The plan's title as adopted."),
    _f("first_fiscal_year", INTEGER, "The first fiscal year the plan covers."),
    _f("last_fiscal_year", INTEGER, "The last fiscal year the plan covers."),
    _f("version", INTEGER, "The number of the adopted version shown."),
    _f("adopted_on", DATE, "The day the board adopted this version."),
    _f("adopted_by", TEXT, "The governance board that adopted it."),
    _f("decision", TEXT, "Adopted, or Adopted with conditions (the conditions themselves are internal)."),
    _f("published_on", DATE, "The day this version was put on the public site."),
)

DATASETS: dict[str, tuple[PublicField, ...]] = {
    "objectives": (
        _f("code", TEXT, "The objective's code, e.g. G2.1; a goal's code has one number."),
        _f("title", TEXT, "What the goal or objective is."),
        _f("parent_code", TEXT, "The code of the goal or objective it belongs to; empty for a goal."),
        _f("level", INTEGER, "1 for a goal, 2 for an objective, 3 and 4 for sub-objectives."),
        _f("policy_source", TEXT, "The statute, executive order or priority it answers to."),
    ),
    "initiatives": (
        _f("code", TEXT, "The initiative's code."),
        _f("title", TEXT, "What the initiative delivers."),
        _f("category", TEXT, "run (keep the lights on), change (change the estate) or transform (transform services)."),
        _f("status", TEXT, "Its lifecycle status when the plan was adopted."),
        _f("start_date", DATE, "Planned start."),
        _f("end_date", DATE, "Planned end."),
        _f("primary_objectives", TEXT, "Codes of the objectives it mainly serves, separated by spaces."),
        _f("supporting_objectives", TEXT, "Codes of the objectives it also supports, separated by spaces."),
        _f("total_capital", MONEY, "Planned capital cost over all fiscal years."),
        _f("total_operating", MONEY, "Planned operating cost over all fiscal years."),
    ),
    "costs": (
        _f("initiative_code", TEXT, "The initiative the cost belongs to."),
        _f("fiscal_year", INTEGER, "The fiscal year."),
        _f("capital", MONEY, "Planned capital cost in that year."),
        _f("operating", MONEY, "Planned operating cost in that year."),
    ),
    "kpis": (
        _f("kpi_id", INTEGER, "A number that identifies the KPI; measurements refer to it."),
        _f("name", TEXT, "What is measured."),
        _f("objective_code", TEXT, "The objective it measures; empty when it measures an initiative."),
        _f("initiative_code", TEXT, "The initiative it measures; empty when it measures an objective."),
        _f("unit", TEXT, "The unit of the values, e.g. % or days."),
        _f("direction", TEXT, "higher or lower: which way is better."),
        _f("frequency", TEXT, "How often it is measured."),
        _f("baseline_value", NUMBER, "The value it started from."),
        _f("baseline_date", DATE, "When the baseline was measured."),
        _f("target_value", NUMBER, "The value aimed for."),
        _f("target_date", DATE, "When the target should be reached."),
        _f("latest_value", NUMBER, "The most recent measurement; empty when there is none yet."),
        _f("latest_date", DATE, "When the most recent measurement was taken."),
    ),
    "measurements": (
        _f("kpi_id", INTEGER, "The KPI measured (kpi_id in the KPI list)."),
        _f("measured_on", DATE, "When the value was measured."),
        _f("value", NUMBER, "The measured value, in the KPI's unit."),
    ),
}

DATASET_TITLES = {
    "objectives": "Goals and objectives",
    "initiatives": "Initiatives",
    "costs": "Planned costs by initiative and fiscal year",
    "kpis": "Key performance indicators",
    "measurements": "KPI measurements",
}


def field_names(fields: tuple[PublicField, ...]) -> tuple[str, ...]:
    return tuple(f.name for f in fields)


def project(fields: tuple[PublicField, ...], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Exactly the declared fields of ``raw``, in declared order; anything else is dropped. A declared field
    missing from ``raw`` is a programming error (KeyError), never silently empty."""
    return {f.name: raw[f.name] for f in fields}


def describe(fields: tuple[PublicField, ...]) -> list[dict[str, str]]:
    """The ``fields`` description of the JSON document."""
    return [{"name": f.name, "type": f.json_type, "description": f.description} for f in fields]
