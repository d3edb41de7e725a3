"""Dump and load the database: SQLite through its online backup API, PostgreSQL through pg_dump/pg_restore.

Loading never leaves a half-restored database: SQLite's backup API writes the target in one transaction;
PostgreSQL loads into a schema of its own (``pg_load_staged``), is checked there, and replaces ``public`` by
renaming schemas in one transaction (``pg_swap_in``).

Row counts are taken from the very data that is dumped: the SQLite snapshot file itself, or, on PostgreSQL,
the snapshot that pg_dump reads (``pg_export_snapshot`` in a REPEATABLE READ transaction kept open while
pg_dump runs), so the manifest's counts match the dump even while the application keeps writing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import Connection, column, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, Engine, make_url

from app.backup.archive import BackupError

PG_CLIENT_PACKAGE = "postgresql-client"


def count_rows(connection: Connection, schema: str | None = None) -> dict[str, int]:
    """Rows in every table of the database (the default schema, or ``schema``), by table name."""
    names = inspect(connection).get_table_names(schema=schema)
    return {
        name: int(connection.execute(select(func.count()).select_from(table(name, schema=schema))).scalar_one())
        for name in names
    }


def alembic_revision(connection: Connection, schema: str | None = None) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names(schema=schema):
        return None
    version = table("alembic_version", column("version_num"), schema=schema)
    return connection.execute(select(version.c.version_num)).scalar()


def table_names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return inspect(connection).get_table_names()


# SQLite ----------------------------------------------------------------------------------------------------


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("DATABASE_URL points at an in-memory SQLite database: there is nothing to back up.")
    return Path(url.database)


def sqlite_snapshot(database: Path, destination: Path) -> tuple[dict[str, int], str | None]:
    """A consistent copy of a live SQLite database (WAL included), as one self-contained file."""
    if not database.is_file():
        raise BackupError(f"The SQLite database {database} does not exist. Check DATABASE_URL.")
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(destination)) as copy:
        source.execute("PRAGMA busy_timeout=10000")
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # no -wal file beside the copy: the archive holds it all
    return _counts_of_file(destination)


def _counts_of_file(path: Path) -> tuple[dict[str, int], str | None]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return count_rows(connection), alembic_revision(connection)
    finally:
        engine.dispose()


def sqlite_check_dump(path: Path) -> tuple[dict[str, int], str | None]:
    """The staged copy must be a sound SQLite database; its counts and revision."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError("The database in the archive is not a readable SQLite database: it is damaged.") from exc
    if not result or result[0] != "ok":
        raise BackupError("The database in the archive fails SQLite's integrity check: it is damaged.")
    return _counts_of_file(path)


def sqlite_load(dump: Path, database: Path) -> None:
    """Replace the content of ``database`` with ``dump`` (one transaction: all of it or nothing)."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(dump)) as source, closing(sqlite3.connect(database)) as target:
        target.execute("PRAGMA busy_timeout=10000")
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")


# PostgreSQL ------------------------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed, and a PostgreSQL backup needs it. Install the Debian package "
            f"{PG_CLIENT_PACKAGE} (apt-get install {PG_CLIENT_PACKAGE}), in a version at least that of the server."
        )
    return found


def _pg_environment(url: URL) -> dict[str, str]:
    """Connection settings for libpq tools in the environment, so no password appears in a command line."""
    environment = dict(os.environ)
    settings = {
        "PGHOST": url.host or url.query.get("host"),
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGSSLMODE": url.query.get("sslmode"),
    }
    environment.update({key: str(value) for key, value in settings.items() if value})
    return environment


def _run(arguments: list[str], url: URL, what: str) -> None:
    completed = subprocess.run(  # noqa: S603 - fixed tool path and arguments, no shell
        arguments, env=_pg_environment(url), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {detail[-1] if detail else 'exit code ' + str(completed.returncode)}")


@contextmanager
def pg_snapshot(engine: Engine) -> Iterator[tuple[Connection, str]]:
    """A REPEATABLE READ transaction and its exported snapshot id, open for as long as the block runs."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            yield connection, str(snapshot)


def pg_dump(engine: Engine, destination: Path) -> tuple[dict[str, int], str | None]:
    tool = _pg_tool("pg_dump")
    url = engine.url
    with pg_snapshot(engine) as (connection, snapshot):
        arguments = [tool, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
        _run([*arguments, f"--file={destination}", f"--dbname={url.database}"], url, "pg_dump")
        return count_rows(connection), alembic_revision(connection)


def pg_check_dump(dump: Path, url: URL) -> None:
    """pg_restore must be able to read the staged dump's table of contents."""
    tool = _pg_tool("pg_restore")
    _run([tool, "--list", str(dump)], url, "Reading the database dump in the archive (pg_restore --list)")


# Restore into a schema of its own, then swap: the live data is untouched until every check has passed.
STAGING_SCHEMA = "planwright_restore_incoming"
PREVIOUS_SCHEMA = "planwright_restore_previous"
_HOLD_SCHEMA = "planwright_restore_live"  # only inside the loading transaction

# The dump names its objects ``public.<name>``. The loading transaction moves the live schema aside, lets the
# dump create a fresh ``public``, renames that to the staging schema and puts the live one back: committed, it
# leaves the live data as it was and the backup beside it; interrupted (killed, an error, a truncated script),
# the server rolls all of it back. COMMIT is sent only once pg_restore has written the whole script.
_PRELUDE = f"""\\set ON_ERROR_STOP on
BEGIN;
DROP SCHEMA IF EXISTS {STAGING_SCHEMA} CASCADE;
ALTER SCHEMA public RENAME TO {_HOLD_SCHEMA};
CREATE SCHEMA public;
"""
_POSTLUDE = f"""
ALTER SCHEMA public RENAME TO {STAGING_SCHEMA};
ALTER SCHEMA {_HOLD_SCHEMA} RENAME TO public;
COMMIT;
"""


def pg_load_staged(dump: Path, url: URL) -> None:
    """Load ``dump`` into STAGING_SCHEMA in one transaction (pg_restore's script piped into psql)."""
    restore_tool, psql_tool = _pg_tool("pg_restore"), _pg_tool("psql")
    environment = _pg_environment(url)
    restore = subprocess.Popen(  # noqa: S603 - fixed tool path and arguments, no shell
        [restore_tool, "--no-owner", "--no-privileges", "--file=-", str(dump)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    psql = subprocess.Popen(  # noqa: S603 - fixed tool path and arguments, no shell
        [psql_tool, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={url.database}"],
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert restore.stdout is not None and psql.stdin is not None  # noqa: S101 - both are pipes
    try:
        psql.stdin.write(_PRELUDE.encode())
        shutil.copyfileobj(restore.stdout, psql.stdin, 1024 * 1024)
        if restore.wait() == 0:
            psql.stdin.write(_POSTLUDE.encode())
    except BrokenPipeError:
        pass  # psql stopped: its exit status says why
    finally:
        restore.kill()
        restore.wait()
        with contextlib.suppress(BrokenPipeError):
            psql.stdin.close()
    loaded = psql.wait()
    errors = b""
    for stream in (psql.stderr, restore.stderr, restore.stdout):
        if stream is not None:
            errors += stream.read() if stream is not restore.stdout else b""
            stream.close()
    if restore.returncode != 0 or loaded != 0:
        detail = errors.decode(errors="replace").strip().splitlines()
        raise BackupError(
            "Loading the backup failed, and the database was left as it was"
            + (f": {detail[-1]}" if detail else f" (exit code {loaded or restore.returncode}).")
        )


def pg_staged_state(engine: Engine) -> tuple[dict[str, int], str | None]:
    """Row counts and schema revision of the staged copy."""
    with engine.connect() as connection:
        if STAGING_SCHEMA not in inspect(connection).get_schema_names():
            raise BackupError("Loading the backup did not complete, and the database was left as it was.")
        return count_rows(connection, STAGING_SCHEMA), alembic_revision(connection, STAGING_SCHEMA)


def pg_swap_in(engine: Engine) -> None:
    """Make the staged copy the live schema in one transaction; then drop the replaced one."""
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {PREVIOUS_SCHEMA} CASCADE"))
        connection.execute(text(f"ALTER SCHEMA public RENAME TO {PREVIOUS_SCHEMA}"))
        connection.execute(text(f"ALTER SCHEMA {STAGING_SCHEMA} RENAME TO public"))
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {PREVIOUS_SCHEMA} CASCADE"))


def pg_drop_staged(engine: Engine) -> None:
    """Remove a staged copy that failed its checks."""
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {STAGING_SCHEMA} CASCADE"))


def database_url(uri: str) -> URL:
    return make_url(uri)
