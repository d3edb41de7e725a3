"""``flask stratml import FILE --org SLUG [--as EMAIL]``."""

from __future__ import annotations

from app.extensions import db
from app.plans.models import Plan
from tests.stratml import samples
from tests.stratml.world import row_counts


def _run(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["stratml", "import", *args])


def test_the_command_imports_a_file_as_the_named_editor(app, org, editor, tmp_path):
    path = tmp_path / "harbour.xml"
    path.write_text(samples.ISO_PART1_PREFIXED, encoding="utf-8")
    result = _run(app, str(path), "--org", org.slug, "--as", editor.email)
    assert result.exit_code == 0, result.output
    plan = db.session.scalar(db.select(Plan).where(Plan.organization_id == org.id))
    assert plan is not None and plan.owner_id == editor.id and plan.status == "draft"
    assert f"Created draft plan {plan.id} “Harbour City Digital Plan 2026–2029”" in result.output
    assert "3 sections, 2 goals, 2 objectives, 0 kpis, 0 measurements." in result.output
    assert "Not mapped (4):" in result.output and "Organization/Acronym (“HCDI”)" in result.output


def test_without_as_the_first_administrator_imports(app, org, admin, tmp_path):
    path = tmp_path / "plan.xml"
    path.write_text(samples.NOT_VALID_BUT_READABLE, encoding="utf-8")
    result = _run(app, str(path), "--org", org.slug)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(Plan.owner_id).where(Plan.organization_id == org.id)) == admin.id
    assert "The file did not validate against the StratML schema:" in result.output


def test_an_unreadable_file_exits_non_zero_and_writes_nothing(app, org, editor, tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text(samples.ENTITY_BOMB, encoding="utf-8")
    before = row_counts()
    result = _run(app, str(path), "--org", org.slug, "--as", editor.email)
    assert result.exit_code == 1
    assert "bomb.xml: The file declares a DOCTYPE" in result.output and "Nothing was imported." in result.output
    assert row_counts() == before


def test_a_viewer_cannot_import_from_the_command_line(app, org, viewer, tmp_path):
    path = tmp_path / "plan.xml"
    path.write_text(samples.MINIMAL_PART1, encoding="utf-8")
    before = row_counts()
    result = _run(app, str(path), "--org", org.slug, "--as", viewer.email)
    assert result.exit_code == 1 and "editor or administrator role" in result.output
    assert row_counts() == before


def test_an_unknown_organization_is_a_clear_error(app, tmp_path):
    path = tmp_path / "plan.xml"
    path.write_text(samples.MINIMAL_PART1, encoding="utf-8")
    result = _run(app, str(path), "--org", "no-such-office")
    assert result.exit_code == 1 and "No organization with slug 'no-such-office'." in result.output
