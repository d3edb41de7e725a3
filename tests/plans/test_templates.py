from pathlib import Path

import pytest

from app.plans.templates import TemplateError, parse_template
from config import BASE_DIR

TEMPLATE_FILES = sorted((BASE_DIR / "plans").glob("*.yaml"))


def test_the_three_shipped_templates_exist():
    assert {p.stem for p in TEMPLATE_FILES} >= {
        "us-state-customer-centric",
        "ict-digital-strategy",
        "compact-five-section",
    }


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: p.stem)
def test_every_template_parses_and_every_section_has_guidance(path: Path):
    template = parse_template(path)
    assert template.key == path.stem
    assert template.name and template.sections
    for section in template.sections:
        assert len(section.guidance) > 100, f"{path.name}: section {section.key} has no real guidance"


def test_us_state_template_has_fourteen_sections():
    template = parse_template(BASE_DIR / "plans" / "us-state-customer-centric.yaml")
    assert len(template.sections) == 14


def test_compact_template_has_exactly_the_five_sections_in_order():
    template = parse_template(BASE_DIR / "plans" / "compact-five-section.yaml")
    assert [s.key for s in template.sections] == ["vision", "architecture", "governance", "workforce", "action-plan"]


GOOD_SECTION = "  - key: vision\n    title: Vision\n    guidance: Say where you are going.\n"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        pytest.param("key: broken\nsections:\n" + GOOD_SECTION + GOOD_SECTION, "appears twice", id="duplicate-key"),
        pytest.param("key: broken\nsections:\n  - key: Bad_Key\n    title: Bad\n", "lowercase", id="bad-key"),
        pytest.param("key: broken\nname: No sections\n", "sections", id="missing-sections"),
        pytest.param("key: broken\nsections: []\n", "sections", id="empty-sections"),
        pytest.param("key: something-else\nsections:\n" + GOOD_SECTION, "file name", id="key-not-file-stem"),
        pytest.param("key: broken\nsections:\n  - key: vision\n", "title", id="section-without-title"),
        pytest.param("key: broken\nsections: [unclosed\n", "YAML", id="invalid-yaml"),
    ],
)
def test_malformed_template_is_refused_naming_the_file(tmp_path: Path, body: str, problem: str):
    path = tmp_path / "broken.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TemplateError) as raised:
        parse_template(path)
    assert "broken.yaml" in str(raised.value)
    assert problem in str(raised.value)


def test_well_formed_template_in_tmp_path_parses(tmp_path: Path):
    path = tmp_path / "tiny.yaml"
    path.write_text("key: tiny\nname: Tiny\nsections:\n" + GOOD_SECTION, encoding="utf-8")
    template = parse_template(path)
    assert [(s.key, s.title, s.guidance) for s in template.sections] == [
        ("vision", "Vision", "Say where you are going.")
    ]


def test_a_malformed_template_stops_the_app_naming_the_file(tmp_path):
    from app import create_app
    from tests.conftest import make_config

    (tmp_path / "broken.yaml").write_text("key: broken\nsections: []\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"broken\.yaml: needs a 'sections' list"):
        create_app(make_config("sqlite://", PLAN_TEMPLATE_DIR=str(tmp_path)))
