"""Plan templates: YAML data files in ``plans/`` (see README, "Plan templates")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

KEY_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class TemplateError(ValueError):
    """A template file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class SectionTemplate:
    key: str
    title: str
    guidance: str
    starter: str


@dataclass(frozen=True)
class PlanTemplate:
    key: str
    name: str
    description: str
    sections: tuple[SectionTemplate, ...]


def _parse_section(path: Path, raw: object, seen: set[str]) -> SectionTemplate:
    if not isinstance(raw, dict):
        raise TemplateError(f"{path.name}: each section must be a mapping with key, title and guidance")
    key, title = str(raw.get("key", "")), str(raw.get("title", "")).strip()
    if not KEY_PATTERN.match(key) or len(key) > 60:
        raise TemplateError(f"{path.name}: section key {key!r} must be lowercase words joined by hyphens")
    if key in seen:
        raise TemplateError(f"{path.name}: section key {key!r} appears twice")
    if not title or len(title) > 200:
        raise TemplateError(f"{path.name}: section {key!r} needs a title of at most 200 characters")
    seen.add(key)
    return SectionTemplate(key, title, str(raw.get("guidance") or "").strip(), str(raw.get("starter") or "").strip())


def parse_template(path: Path) -> PlanTemplate:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path.name}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list) or not data["sections"]:
        raise TemplateError(f"{path.name}: needs a 'sections' list")
    if data.get("key") != path.stem:
        raise TemplateError(f"{path.name}: 'key' must equal the file name ({path.stem!r})")
    seen: set[str] = set()
    sections = tuple(_parse_section(path, raw, seen) for raw in data["sections"])
    return PlanTemplate(path.stem, str(data.get("name") or path.stem), str(data.get("description") or ""), sections)


@cache
def _load_all(directory: str) -> dict[str, PlanTemplate]:
    return {p.stem: parse_template(p) for p in sorted(Path(directory).glob("*.yaml"))}


def all_templates(directory: str) -> list[PlanTemplate]:
    return list(_load_all(directory).values())


def get_template(directory: str, key: str) -> PlanTemplate | None:
    return _load_all(directory).get(key)
