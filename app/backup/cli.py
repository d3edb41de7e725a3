"""``flask backup create FILE`` and ``flask backup restore FILE [--force]``."""

from __future__ import annotations

from pathlib import Path

import click

from app.backup.archive import BackupError

backup = click.Group("backup", help="Back up and restore the database and the export files.")


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)  # pragma: no cover


@backup.command("create")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def create_command(file: Path) -> None:
    """Write a backup of the database and EXPORT_DIR to FILE (a .tar.gz; the app may keep running).

    The archive holds every plan and the users' password hashes: store it encrypted, with restricted access.
    """
    from app.backup.services import create_backup

    try:
        summary = create_backup(file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    manifest = summary.manifest
    click.echo(
        f"Backed up the {manifest.dialect} database (schema {manifest.alembic_revision}, "
        f"{len(manifest.row_counts)} tables, {sum(manifest.row_counts.values()):,} rows) and "
        f"{len(manifest.export_files)} export files to {file} ({_size(summary.size_bytes)})."
    )


@backup.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that is not empty, and export files that differ.")
def restore_command(file: Path, force: bool) -> None:
    """Restore the backup FILE into DATABASE_URL and EXPORT_DIR (stop the app servers first).

    The whole archive is checked before anything is written; a damaged archive changes nothing.
    """
    from app.backup.services import restore_backup

    try:
        summary = restore_backup(file, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    manifest = summary.manifest
    click.echo(f"Restored {file}, made {manifest.created_at} by Planwright {manifest.app_version}:")
    click.echo(f"  database: {summary.tables} tables, {summary.rows:,} rows; every row count matches the backup.")
    click.echo(
        f"  export files: {summary.files_written} written, {summary.files_present} already present; "
        "every SHA-256 matches the backup."
    )
    if summary.revision_after != summary.revision_before:
        click.echo(f"  schema: upgraded from {summary.revision_before} to {summary.revision_after}.")
    else:
        click.echo(f"  schema: at {summary.revision_after}, as the code expects.")
    if summary.audit_problems:
        for problem in summary.audit_problems:
            click.echo(f"BROKEN {problem}", err=True)
        raise click.ClickException("The restored audit trail does not verify (see above).")
    click.echo(f"  audit trail intact: {summary.audit_chains} chains verified.")
