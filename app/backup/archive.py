"""The backup archive: a gzip-compressed tar holding the database dump, the export files and a manifest.

Layout::

    database/planwright.sqlite3   (or database/planwright.pgdump: pg_dump's custom format)
    exports/<path under EXPORT_DIR>
    manifest.json                 (written last: it records the hashes of what precedes it)

Reading never trusts the archive: only regular files under those names are accepted (no links, no absolute
paths, no ``..``), every file is staged in a temporary folder and checked against the manifest's SHA-256
before anything is written to the database or to ``EXPORT_DIR``.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

FORMAT = "planwright-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
EXPORTS_DIR = "exports"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore was refused or failed; the message says why and what to do."""


@dataclass
class Manifest:
    app_version: str
    alembic_revision: str | None
    created_at: str
    dialect: str  # sqlite or postgresql
    database_member: str
    database_sha256: str
    row_counts: dict[str, int]
    export_files: dict[str, str] = field(default_factory=dict)  # path under EXPORT_DIR -> sha256
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise BackupError("The archive's manifest.json is not valid JSON: the archive is damaged.") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError("This is not a Planwright backup (its manifest.json does not say so).")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"This backup has format version {data.get('format_version')!r}; this Planwright reads version "
                f"{FORMAT_VERSION}. Restore it with the Planwright version that made it."
            )
        try:
            manifest = cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except TypeError as exc:
            raise BackupError("The archive's manifest.json lacks required fields: the archive is damaged.") from exc
        _check_types(manifest)
        return manifest


def _check_types(manifest: Manifest) -> None:
    ok = (
        manifest.dialect in ("sqlite", "postgresql")
        and isinstance(manifest.row_counts, dict)
        and all(isinstance(k, str) and isinstance(v, int) for k, v in manifest.row_counts.items())
        and isinstance(manifest.export_files, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in manifest.export_files.items())
        and _member_parts(manifest.database_member) is not None
    )
    if not ok:
        raise BackupError("The archive's manifest.json has unexpected values: the archive is damaged.")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def export_files(export_dir: Path) -> Iterator[tuple[str, Path]]:
    """Regular files under EXPORT_DIR by relative POSIX path; hidden and temporary files (``.tmp-*``) skipped."""
    if not export_dir.is_dir():
        return
    for path in sorted(export_dir.rglob("*")):
        relative = path.relative_to(export_dir)
        if path.is_symlink() or not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        yield relative.as_posix(), path


class _HashingReader(io.RawIOBase):
    """Reads a file while hashing it, so the hash is of exactly the bytes that went into the archive."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.digest.update(data)
        return data


def add_file(tar: tarfile.TarFile, name: str, path: Path) -> str:
    """Add ``path`` as ``name``; return the SHA-256 of what was written."""
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with path.open("rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)  # type: ignore[arg-type]
    return reader.digest.hexdigest()


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _member_parts(name: str) -> tuple[str, ...] | None:
    """The path's parts when it is a safe relative path (no absolute path, ``..``, empty or odd parts)."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        return None
    return path.parts


@dataclass
class Staged:
    """An archive unpacked into a temporary folder and checked against its manifest."""

    manifest: Manifest
    database: Path
    exports: dict[str, Path]  # path under EXPORT_DIR -> staged file


def stage(archive: Path, into: Path) -> Staged:
    """Unpack ``archive`` into ``into`` and check every file against the manifest; raise BackupError if not sound."""
    try:
        tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 - closed below; errors mapped to BackupError
    except FileNotFoundError as exc:
        raise BackupError(f"No such file: {archive}.") from exc
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive} is not a Planwright backup (not a readable .tar.gz archive).") from exc
    try:
        with tar:
            staged_files, manifest_bytes = _unpack(tar, into)
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"{archive} is damaged or truncated ({type(exc).__name__}); use another copy.") from exc
    if manifest_bytes is None:
        raise BackupError(f"{archive} has no manifest.json: it is not a Planwright backup.")
    manifest = Manifest.from_json(manifest_bytes)
    return _check_against_manifest(manifest, staged_files)


def _unpack(tar: tarfile.TarFile, into: Path) -> tuple[dict[str, tuple[Path, str]], bytes | None]:
    staged: dict[str, tuple[Path, str]] = {}
    manifest_bytes: bytes | None = None
    for number, member in enumerate(tar):
        if member.isdir():
            continue
        parts = _member_parts(member.name)
        if parts is None or not member.isfile() or parts[0] not in (DATABASE_DIR, EXPORTS_DIR, MANIFEST):
            raise BackupError(f"The archive holds an unexpected entry {member.name!r}: refusing to restore it.")
        if member.name in staged or (parts == (MANIFEST,) and manifest_bytes is not None):
            raise BackupError(f"The archive holds {member.name!r} twice: refusing to restore it.")
        source = tar.extractfile(member)
        if source is None:  # pragma: no cover - isfile() members always have data
            raise BackupError(f"The archive entry {member.name!r} cannot be read.")
        if parts == (MANIFEST,):
            manifest_bytes = source.read(4 * 1024 * 1024)
            continue
        target = into / f"{number:06d}"  # staged under a neutral name: the archive never chooses a path
        digest = hashlib.sha256()
        with target.open("wb") as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        staged[member.name] = (target, digest.hexdigest())
    return staged, manifest_bytes


def _check_against_manifest(manifest: Manifest, staged: dict[str, tuple[Path, str]]) -> Staged:
    database = staged.get(manifest.database_member)
    if database is None:
        raise BackupError(f"The archive lacks its database dump ({manifest.database_member}): it is damaged.")
    if database[1] != manifest.database_sha256:
        raise BackupError("The database dump in the archive does not match its SHA-256 in the manifest: damaged.")
    exports: dict[str, Path] = {}
    for relative, expected in manifest.export_files.items():
        if _member_parts(relative) is None:
            raise BackupError(f"The manifest names an unsafe export path {relative!r}: refusing to restore it.")
        found = staged.get(f"{EXPORTS_DIR}/{relative}")
        if found is None:
            raise BackupError(f"The archive lacks the export file {relative} listed in its manifest: it is damaged.")
        if found[1] != expected:
            raise BackupError(f"The export file {relative} does not match its SHA-256 in the manifest: damaged.")
        exports[relative] = found[0]
    unexpected = set(staged) - {manifest.database_member} - {f"{EXPORTS_DIR}/{r}" for r in manifest.export_files}
    if unexpected:
        raise BackupError(f"The archive holds files its manifest does not list ({sorted(unexpected)[0]}): damaged.")
    return Staged(manifest=manifest, database=database[0], exports=exports)
