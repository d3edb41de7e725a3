"""`flask backup create` / `flask backup restore`: a restore into an empty database gives back every row, every
export file byte for byte and an audit trail that verifies; a bad archive is refused and changes nothing."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import inspect as sqlalchemy_inspect

from app import create_app
from app.backup import engines
from app.extensions import db
from tests.conftest import make_config
from tests.ops.conftest import PG_URL, dispose, migrated_app, recreate_empty

EXPORT_FILES = {
    "3f1c-board-pack.pdf": b"%PDF-1.7 board pack " + bytes(range(256)) * 40,
    "jobs/7.json": b'{"status": "ready"}',
    "archive/2027/plan.pdf": b"%PDF-1.7 archival copy",
}


def cli(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    """Run ``flask ARGS`` on ``app`` (its own context: commands reuse whichever app context is pushed)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def counts(app: Flask) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as connection:
        return engines.count_rows(connection)


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, with its SHA-256."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_exports(folder: Path) -> None:
    for name, data in EXPORT_FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / ".tmp-half-written").write_bytes(b"a render still being written")


def test_restore_into_an_empty_database_gives_back_everything(
    tmp_path: Path, real_sessions: None, scratch_database
) -> None:  # type: ignore[no-untyped-def]
    if PG_URL and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (Debian package postgresql-client)")
    url = scratch_database("restore")
    source = migrated_app(url, tmp_path / "exports-a")
    seeded = cli(source, "seed", "demo")
    assert seeded.exit_code == 0, seeded.output
    write_exports(tmp_path / "exports-a")
    archive = tmp_path / "planwright.tar.gz"
    made = cli(source, "backup", "create", str(archive))
    assert made.exit_code == 0, made.output
    assert "export files" in made.output and archive.stat().st_mode & 0o077 == 0
    before = counts(source)
    assert len([t for t, n in before.items() if n > 0]) >= 30, "the demo should fill most tables"
    dispose(source)

    if PG_URL:
        recreate_empty(url)  # the same database, dropped and created empty
        target_url = url
    else:
        target_url = scratch_database("restored")
    target = create_app(make_config(target_url, EXPORT_DIR=str(tmp_path / "exports-b")))
    restored = cli(target, "backup", "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "every row count matches" in restored.output and "audit trail intact" in restored.output

    assert counts(target) == before
    expected_files = {name: hashlib.sha256(data).hexdigest() for name, data in EXPORT_FILES.items()}
    assert tree(tmp_path / "exports-b") == expected_files  # the half-written temporary file stays behind
    verified = cli(target, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "Audit trail intact" in verified.output

    again = cli(target, "backup", "restore", str(archive))
    assert again.exit_code == 1
    assert "not empty" in again.output and "--force" in again.output
    forced = cli(target, "backup", "restore", "--force", str(archive))
    assert forced.exit_code == 0, forced.output
    assert counts(target) == before
    dispose(target)


def test_backup_never_overwrites_a_file(tmp_path: Path, app: Flask) -> None:
    existing = tmp_path / "keep.tar.gz"
    existing.write_bytes(b"precious")
    result = cli(app, "backup", "create", str(existing))
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert existing.read_bytes() == b"precious"


# Bad archives ----------------------------------------------------------------------------------------------


def _rewrite(archive: Path, out: Path, change) -> Path:  # type: ignore[no-untyped-def]
    """Copy ``archive`` to ``out``, passing each member's (name, bytes) through ``change`` (None drops it)."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as target:
        for member in source.getmembers():
            handle = source.extractfile(member)
            data = handle.read() if handle else b""
            changed = change(member.name, data)
            if changed is None:
                continue
            name, data = changed
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return out


def _manifest_edit(**fields):  # type: ignore[no-untyped-def]
    def change(name: str, data: bytes):  # type: ignore[no-untyped-def]
        if name != "manifest.json":
            return name, data
        manifest = json.loads(data)
        manifest.update(fields)
        return name, json.dumps(manifest).encode()

    return change


def _zero_tail(name: str, data: bytes) -> tuple[str, bytes]:
    return (name, data[:-10] + b"0" * 10) if name.startswith("database/") else (name, data)


def _with_link(archive: Path, out: Path) -> Path:
    shutil.copyfile(archive, out)
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member))
        link = tarfile.TarInfo("exports/passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        target.addfile(link)
    return out


def test_a_bad_archive_is_refused_with_a_reason_and_writes_nothing(tmp_path: Path, real_sessions: None) -> None:
    source = migrated_app(f"sqlite:///{tmp_path / 'source.db'}", tmp_path / "exports-a")
    write_exports(tmp_path / "exports-a")
    good = tmp_path / "good.tar.gz"
    assert cli(source, "backup", "create", str(good)).exit_code == 0
    dispose(source)
    pdf = "exports/3f1c-board-pack.pdf"
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_bytes(b"this is a text file, not an archive")
    bad = {
        "not a tar.gz": (not_a_backup, "not a Planwright backup"),
        "truncated": (truncated, "damaged or truncated"),
        "missing": (tmp_path / "nowhere.tar.gz", "No such file"),
        "tampered export file": (
            _rewrite(good, tmp_path / "t1.tar.gz", lambda n, d: (n, d + b"x") if n == pdf else (n, d)),
            "does not match its SHA-256",
        ),
        "export file missing": (
            _rewrite(good, tmp_path / "t2.tar.gz", lambda n, d: None if n == pdf else (n, d)),
            "lacks the export file",
        ),
        "tampered database": (
            _rewrite(good, tmp_path / "t3.tar.gz", _zero_tail),
            "database dump in the archive does not match",
        ),
        "path escaping EXPORT_DIR": (
            _rewrite(
                good, tmp_path / "t4.tar.gz", lambda n, d: ("exports/../../escaped.pdf", d) if n == pdf else (n, d)
            ),
            "unexpected entry",
        ),
        "symbolic link": (_with_link(good, tmp_path / "t5.tar.gz"), "unexpected entry"),
        "no manifest": (
            _rewrite(good, tmp_path / "t6.tar.gz", lambda n, d: None if n == "manifest.json" else (n, d)),
            "has no manifest.json",
        ),
        "newer schema": (
            _rewrite(good, tmp_path / "t7.tar.gz", _manifest_edit(alembic_revision="9999_from_the_future")),
            "made by a newer version",
        ),
        "other database kind": (
            _rewrite(good, tmp_path / "t8.tar.gz", _manifest_edit(dialect="postgresql")),
            "This backup is of a postgresql database",
        ),
    }
    target = create_app(make_config(f"sqlite:///{tmp_path / 'target.db'}", EXPORT_DIR=str(tmp_path / "exports-b")))
    for case, (archive, message) in bad.items():
        result = cli(target, "backup", "restore", str(archive))
        assert result.exit_code == 1, f"{case}: {result.output}"
        assert message in result.output, f"{case}: {result.output}"
        assert "Traceback" not in result.output
        assert counts(target) == {}, f"{case}: the target database was written"
        assert tree(tmp_path / "exports-b") == {}, f"{case}: files were written"
    assert not (tmp_path / "escaped.pdf").exists()
    dispose(target)


def test_a_backup_of_an_older_schema_is_upgraded_after_restore(tmp_path: Path, real_sessions: None) -> None:
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    source = create_app(make_config(f"sqlite:///{tmp_path / 'old.db'}", EXPORT_DIR=str(tmp_path / "exports-a")))
    with source.app_context():
        script = ScriptDirectory.from_config(source.extensions["migrate"].migrate.get_config())
        head = script.get_current_head()
        previous = script.get_revision(head).down_revision
        upgrade(revision=previous)
    archive = tmp_path / "old.tar.gz"
    assert cli(source, "backup", "create", str(archive)).exit_code == 0
    dispose(source)
    target = create_app(make_config(f"sqlite:///{tmp_path / 'new.db'}", EXPORT_DIR=str(tmp_path / "exports-b")))
    restored = cli(target, "backup", "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert f"schema: upgraded from {previous} to {head}" in restored.output
    with target.app_context(), db.engine.connect() as connection:
        assert engines.alembic_revision(connection) == head
    dispose(target)


def test_without_pg_dump_the_message_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.backup.archive import BackupError

    monkeypatch.setattr(engines.shutil, "which", lambda _name: None)
    with pytest.raises(BackupError, match=r"apt-get install postgresql-client"):
        engines._pg_tool("pg_dump")


# Atomic restore --------------------------------------------------------------------------------------------

KILLED_MIDWAY = {
    # psql gets the first part of the restore script, then it is killed (SIGKILL, as a crash or kill -9 would).
    "psql": """#!{python}
import os, signal, subprocess, sys, time
child = subprocess.Popen([{real!r}, *sys.argv[1:]], stdin=subprocess.PIPE)
child.stdin.write(sys.stdin.buffer.read({cut}))
child.stdin.flush()
time.sleep(2)
child.kill()
child.wait()
os.kill(os.getpid(), signal.SIGKILL)
""",
    # pg_restore writes the first part of its output (to psql, or into the database), then it is killed.
    "pg_restore": """#!{python}
import os, signal, subprocess, sys, time
if "--list" in sys.argv:  # the archive check before loading runs as usual
    os.execv({real!r}, [{real!r}, *sys.argv[1:]])
child = subprocess.Popen([{real!r}, *sys.argv[1:]], stdout=subprocess.PIPE)
sys.stdout.buffer.write(child.stdout.read({cut}))
sys.stdout.buffer.flush()
time.sleep(2)
child.kill()
os.kill(os.getpid(), signal.SIGKILL)
""",
}


def _add_office(app: Flask, name: str) -> None:
    from app.auth.models import Organization

    with app.app_context():
        db.session.add(Organization(name=name, slug=name.lower().replace(" ", "-")))
        db.session.commit()


def _office_names(app: Flask) -> set[str]:
    from app.auth.models import Organization

    with app.app_context():
        return set(db.session.scalars(db.select(Organization.name)))


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not a PostgreSQL URL")
@pytest.mark.parametrize("killed", ["pg_restore", "psql"])
def test_a_restore_killed_midway_leaves_the_old_data_intact(
    killed: str, tmp_path: Path, real_sessions: None, scratch_database, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    real_tool = shutil.which(killed)
    if real_tool is None or shutil.which("psql") is None:
        pytest.skip("psql and pg_restore are not installed (Debian package postgresql-client)")
    url = scratch_database("atomic")
    live = migrated_app(url, tmp_path / "exports")
    assert cli(live, "seed", "demo").exit_code == 0
    archive = tmp_path / "backup.tar.gz"
    assert cli(live, "backup", "create", str(archive)).exit_code == 0
    backed_up = counts(live)
    _add_office(live, "Office Created After The Backup")  # the live data now differs from the backup
    before = counts(live)
    assert before != backed_up

    tools = tmp_path / "tools"
    tools.mkdir()
    wrapper = tools / killed
    wrapper.write_text(KILLED_MIDWAY[killed].format(python=sys.executable, real=real_tool, cut=60_000))
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    killed = cli(live, "backup", "restore", "--force", str(archive))
    assert killed.exit_code == 1
    assert "left as it was" in killed.output and "Traceback" not in killed.output
    assert counts(live) == before  # not empty, not half-loaded: exactly the old data
    assert "Office Created After The Backup" in _office_names(live)
    with live.app_context(), db.engine.connect() as connection:
        schemas = set(sqlalchemy_inspect(connection).get_schema_names())
    assert not {engines.STAGING_SCHEMA, "planwright_restore_live"} & schemas

    monkeypatch.undo()  # the real tools again
    restored = cli(live, "backup", "restore", "--force", str(archive))
    assert restored.exit_code == 0, restored.output
    assert counts(live) == backed_up
    assert "Office Created After The Backup" not in _office_names(live)
    dispose(live)


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not a PostgreSQL URL")
def test_a_loaded_copy_that_fails_its_checks_is_never_swapped_in(
    tmp_path: Path, real_sessions: None, scratch_database
) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("psql") is None or shutil.which("pg_restore") is None:
        pytest.skip("psql and pg_restore are not installed (Debian package postgresql-client)")
    url = scratch_database("checked")
    live = migrated_app(url, tmp_path / "exports")
    assert cli(live, "seed", "demo").exit_code == 0
    good = tmp_path / "good.tar.gz"
    assert cli(live, "backup", "create", str(good)).exit_code == 0
    manifest = json.loads(_member(good, "manifest.json"))
    wrong_counts = {**manifest["row_counts"], "organization": manifest["row_counts"]["organization"] + 1}
    lying = _rewrite(good, tmp_path / "lying.tar.gz", _manifest_edit(row_counts=wrong_counts))
    _add_office(live, "Office Kept")
    before = counts(live)
    refused = cli(live, "backup", "restore", "--force", str(lying))
    assert refused.exit_code == 1
    assert "did not check out" in refused.output and "organization" in refused.output
    assert counts(live) == before
    dispose(live)


def _member(archive: Path, name: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        handle = tar.extractfile(name)
        assert handle is not None
        return handle.read()
