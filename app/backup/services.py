"""Back up and restore the whole installation: the database and the files under EXPORT_DIR.

``create_backup`` may run while the application serves requests (the dump is a consistent snapshot; export
files are content-addressed and never change). ``restore_backup`` is for a stopped application: it checks the
whole archive first (structure, manifest, every SHA-256, the dump itself, the schema revision, the target), so
a bad archive writes nothing; then it loads the database (on PostgreSQL into a schema of its own, checked for
row counts and schema revision, then swapped in by renaming schemas in one transaction, so a failed or
interrupted load leaves the old data in place; on SQLite in one transaction), copies the files, checks row
counts and hashes again on what was written, upgrades the schema when the backup is older than the code, and
verifies the audit trail.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app.backup import engines
from app.backup.archive import (
    DATABASE_DIR,
    EXPORTS_DIR,
    MANIFEST,
    BackupError,
    Manifest,
    Staged,
    add_bytes,
    add_file,
    export_files,
    sha256_file,
    stage,
)
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent.parent
DUMP_NAMES = {"sqlite": "planwright.sqlite3", "postgresql": "planwright.pgdump"}


@dataclass
class BackupSummary:
    path: Path
    manifest: Manifest
    size_bytes: int


@dataclass
class RestoreSummary:
    manifest: Manifest
    tables: int
    rows: int
    files_written: int
    files_present: int
    revision_before: str | None
    revision_after: str | None
    audit_chains: int
    audit_problems: list[str] = field(default_factory=list)


def app_version() -> str:
    try:
        with (ROOT / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _dialect() -> str:
    name = db.engine.dialect.name
    if name not in DUMP_NAMES:
        raise BackupError(f"Backups support SQLite and PostgreSQL; DATABASE_URL points at {name}.")
    return name


# Create ----------------------------------------------------------------------------------------------------


def create_backup(destination: Path) -> BackupSummary:
    """Write a backup archive (.tar.gz) of the database and EXPORT_DIR to ``destination``."""
    if destination.exists():
        raise BackupError(f"{destination} already exists: choose another file name (a backup never overwrites).")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    dialect = _dialect()
    partial = destination.with_name(f".{destination.name}.partial")
    with tempfile.TemporaryDirectory(prefix="planwright-backup-") as work:
        dump = Path(work) / DUMP_NAMES[dialect]
        if dialect == "sqlite":
            counts, revision = engines.sqlite_snapshot(engines.sqlite_path(db.engine.url), dump)
        else:
            counts, revision = engines.pg_dump(db.engine, dump)
        partial.unlink(missing_ok=True)  # left by an interrupted run
        try:
            manifest = _write_archive(partial, dump, dialect, counts, revision)
            os.replace(partial, destination)
        except OSError as exc:
            raise BackupError(f"Could not write {destination}: {exc.strerror or exc}.") from exc
        finally:
            partial.unlink(missing_ok=True)
    return BackupSummary(path=destination, manifest=manifest, size_bytes=destination.stat().st_size)


def _write_archive(path: Path, dump: Path, dialect: str, counts: dict[str, int], revision: str | None) -> Manifest:
    created = datetime.now(UTC)
    member = f"{DATABASE_DIR}/{dump.name}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # holds password hashes: owner only
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        database_sha = add_file(tar, member, dump)
        hashes = {
            relative: add_file(tar, f"{EXPORTS_DIR}/{relative}", file)
            for relative, file in export_files(Path(current_app.config["EXPORT_DIR"]))
        }
        manifest = Manifest(
            app_version=app_version(),
            alembic_revision=revision,
            created_at=created.isoformat(timespec="seconds"),
            dialect=dialect,
            database_member=member,
            database_sha256=database_sha,
            row_counts=counts,
            export_files=hashes,
        )
        add_bytes(tar, MANIFEST, manifest.to_json(), created.timestamp())
    return manifest


# Restore ---------------------------------------------------------------------------------------------------


def restore_backup(archive: Path, *, force: bool = False) -> RestoreSummary:
    """Restore ``archive`` into the configured database and EXPORT_DIR (see the module docstring)."""
    dialect = _dialect()
    export_dir = Path(current_app.config["EXPORT_DIR"])
    with tempfile.TemporaryDirectory(prefix="planwright-restore-") as work:
        staged = stage(archive, Path(work))
        manifest = staged.manifest
        _check_dialect(manifest, dialect)
        revision_plan = _check_revision(manifest.alembic_revision)
        _check_dump(staged, dialect)
        _check_target_empty(force)
        to_write = _files_to_write(staged, export_dir, force)
        db.session.remove()
        db.engine.dispose()
        _load_database(staged.database, dialect, manifest)
        _check_counts(manifest)
        _write_files(to_write, export_dir)
    _check_file_hashes(manifest, export_dir)
    revision_after = _upgrade_if_older(manifest.alembic_revision, revision_plan)
    from app.audit.services import verify_all_chains

    chains, problems = verify_all_chains()
    db.session.rollback()
    return RestoreSummary(
        manifest=manifest,
        tables=len(manifest.row_counts),
        rows=sum(manifest.row_counts.values()),
        files_written=len(to_write),
        files_present=len(manifest.export_files) - len(to_write),
        revision_before=manifest.alembic_revision,
        revision_after=revision_after,
        audit_chains=chains,
        audit_problems=[str(p) for p in problems],
    )


def _check_dialect(manifest: Manifest, dialect: str) -> None:
    if manifest.dialect != dialect:
        raise BackupError(
            f"This backup is of a {manifest.dialect} database, and DATABASE_URL points at {dialect}. "
            f"Restore it into a {manifest.dialect} database."
        )


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def _check_revision(revision: str | None) -> str:
    """``same`` when the backup's schema is the code's, ``older`` when an upgrade follows; refuse otherwise."""
    script = _script()
    heads = set(script.get_heads())
    if revision in heads:
        return "same"
    try:
        known = revision is not None and script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise BackupError(
            f"The backup's schema revision {revision!r} is unknown to this version of Planwright "
            f"(at {', '.join(sorted(heads))}): it was made by a newer version. Restore it with that version."
        )
    return "older"


def _check_dump(staged: Staged, dialect: str) -> None:
    if dialect == "sqlite":
        counts, revision = engines.sqlite_check_dump(staged.database)
        if counts != staged.manifest.row_counts or revision != staged.manifest.alembic_revision:
            raise BackupError("The database in the archive does not hold the rows its manifest lists: damaged.")
    else:
        engines.pg_check_dump(staged.database, db.engine.url)


def _check_target_empty(force: bool) -> None:
    try:
        tables = engines.table_names(db.engine)
    except SQLAlchemyError as exc:
        raise BackupError(f"Cannot open the target database ({type(exc).__name__}). Check DATABASE_URL.") from exc
    if tables and not force:
        raise BackupError(
            f"The target database is not empty ({len(tables)} tables). Restore into an empty database, or add "
            "--force to replace everything in it with the backup."
        )


def _files_to_write(staged: Staged, export_dir: Path, force: bool) -> dict[str, Path]:
    """Staged files to copy: those missing from EXPORT_DIR; a different file of the same name needs --force."""
    to_write: dict[str, Path] = {}
    for relative, staged_file in staged.exports.items():
        target = export_dir / relative
        if target.is_file() and sha256_file(target) == staged.manifest.export_files[relative]:
            continue
        if target.exists() and not force:
            raise BackupError(
                f"{target} exists and differs from the backup's copy. Move it away, or add --force to replace it."
            )
        to_write[relative] = staged_file
    return to_write


def _load_database(dump: Path, dialect: str, manifest: Manifest) -> None:
    """Load the dump; on PostgreSQL into a schema of its own that replaces the live one only once its row counts
    and schema revision match the manifest (a failed or interrupted load leaves the live data as it was)."""
    if dialect == "sqlite":
        engines.sqlite_load(dump, engines.sqlite_path(db.engine.url))
        return
    engines.pg_load_staged(dump, db.engine.url)
    counts, revision = engines.pg_staged_state(db.engine)
    problem = _count_problem(counts, manifest)
    if problem is None and revision != manifest.alembic_revision:
        problem = f"the loaded schema revision is {revision}, the backup's {manifest.alembic_revision}"
    if problem is not None:
        engines.pg_drop_staged(db.engine)
        raise BackupError(f"The loaded copy did not check out ({problem}); the database was left as it was.")
    engines.pg_swap_in(db.engine)


def _count_problem(counts: dict[str, int], manifest: Manifest) -> str | None:
    if counts == manifest.row_counts:
        return None
    differing = sorted(
        t for t in counts.keys() | manifest.row_counts.keys() if counts.get(t) != manifest.row_counts.get(t)
    )
    return f"row counts differ from the backup's in: {', '.join(differing[:10])}"


def _check_counts(manifest: Manifest) -> None:
    with db.engine.connect() as connection:
        counts = engines.count_rows(connection)
    problem = _count_problem(counts, manifest)
    if problem is not None:
        raise BackupError(f"After the restore, {problem}.")


def _write_files(to_write: dict[str, Path], export_dir: Path) -> None:
    for relative, staged_file in to_write.items():
        target = export_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".tmp-restore-{target.name}")
        shutil.copyfile(staged_file, temporary)
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)


def _check_file_hashes(manifest: Manifest, export_dir: Path) -> None:
    for relative, expected in manifest.export_files.items():
        target = export_dir / relative
        if not target.is_file() or sha256_file(target) != expected:
            raise BackupError(f"After the restore, {target} does not match the backup's SHA-256.")


def _upgrade_if_older(revision: str | None, plan: str) -> str | None:
    if plan == "older":
        from flask_migrate import upgrade

        upgrade()
    with db.engine.connect() as connection:
        return engines.alembic_revision(connection)
