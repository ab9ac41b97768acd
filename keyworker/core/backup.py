"""Encrypted backups of the database and their restore (docs/decisions/0033-backups.md).

A backup is the database's own dump (SQLite: a copy made with SQLite's online backup API; PostgreSQL:
`pg_dump --format=custom`) streamed through AES-256-GCM in framed chunks. The file format:

    header  = b"KWBACKUP" | version (1 byte, 1) | vendor length (1 byte) | vendor (ASCII)
              | chunk size (4 bytes, big-endian) | salt (32 bytes) | nonce prefix (7 bytes) | key id (8 bytes)
    chunks  = ( ciphertext length (4 bytes, big-endian) | AES-256-GCM ciphertext and 16-byte tag )*

Each file has its own key, HKDF-SHA256(master key, salt, info "keyworker-backup v1 file key"), and each chunk
the nonce nonce prefix | chunk number (4 bytes) | 1 if it is the last chunk else 0 (the STREAM construction
of Hoang, Reyhanitabar, Rogaway and Vizár, as in Tink's streaming AEAD). The whole header is every chunk's
associated data, so the header cannot be edited, and chunks cannot be reordered, dropped or cut off at the
end without the decryption failing. The key id (HKDF of the master key alone, 8 bytes) only lets a restore
tell "made with a different key" from "damaged".
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import os
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_ENV = "KEYWORKER_BACKUP_KEY"
MAGIC = b"KWBACKUP"
FORMAT_VERSION = 1
CHUNK_SIZE = 1024 * 1024  # a large database is streamed a mebibyte at a time, never held in memory
SALT_BYTES, PREFIX_BYTES, KEY_ID_BYTES, TAG_BYTES = 32, 7, 8, 16
VENDORS = ("sqlite", "postgresql")
SUFFIX = ".kwbackup"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


# --- the key ------------------------------------------------------------------------------------------------


def new_key() -> str:
    """A fresh 256-bit key, as KEYWORKER_BACKUP_KEY takes it (URL-safe base64)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def parse_key(text: str | None) -> bytes:
    if not text:
        raise BackupError(
            f"{KEY_ENV} is not set: backups are always encrypted. Make a key with `keyworker backup --new-key`, "
            "keep it somewhere other than the backups, and set it in the environment."
        )
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise BackupError(f"{KEY_ENV} is not a key made by `keyworker backup --new-key` (32 bytes, base64).")
    return key


def key_from_environment() -> bytes:
    return parse_key(os.environ.get(KEY_ENV))


def _hkdf(master: bytes, *, salt: bytes | None, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(master)


def _key_id(master: bytes) -> bytes:
    return _hkdf(master, salt=None, info=b"keyworker-backup v1 key id", length=KEY_ID_BYTES)


# --- the encrypted stream -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    vendor: str
    chunk_size: int
    salt: bytes
    nonce_prefix: bytes
    key_id: bytes

    def pack(self) -> bytes:
        vendor = self.vendor.encode("ascii")
        return (
            MAGIC
            + bytes([FORMAT_VERSION, len(vendor)])
            + vendor
            + struct.pack(">I", self.chunk_size)
            + self.salt
            + self.nonce_prefix
            + self.key_id
        )


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", number) + (b"\x01" if last else b"\x00")


def encrypt_stream(
    source: IO[bytes], target: IO[bytes], *, key: bytes, vendor: str, chunk_size: int = CHUNK_SIZE
) -> int:
    """Encrypt `source` into `target`; returns the plaintext size."""
    header = Header(
        vendor, chunk_size, secrets.token_bytes(SALT_BYTES), secrets.token_bytes(PREFIX_BYTES), _key_id(key)
    )
    aad = header.pack()
    aead = AESGCM(_hkdf(key, salt=header.salt, info=b"keyworker-backup v1 file key", length=32))
    target.write(aad)
    size, number = 0, 0
    chunk = _read_full(source, chunk_size)
    while True:
        following = _read_full(source, chunk_size) if len(chunk) == chunk_size else b""
        last = not following
        if number >= 2**32 - 1:
            raise BackupError("The database is too large for one backup file (4 PiB).")
        sealed = aead.encrypt(_nonce(header.nonce_prefix, number, last), chunk, aad)
        target.write(struct.pack(">I", len(sealed)) + sealed)
        size += len(chunk)
        number += 1
        if last:
            return size
        chunk = following


def _read_full(stream: IO[bytes], size: int) -> bytes:
    """Up to `size` bytes, fewer only at the end (a pipe may return short reads)."""
    parts, wanted = [], size
    while wanted:
        part = stream.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def read_header(source: IO[bytes]) -> tuple[Header, bytes]:
    start = _read_full(source, len(MAGIC) + 2)
    if len(start) < len(MAGIC) + 2 or start[: len(MAGIC)] != MAGIC:
        raise BackupError("This is not a Keyworker backup file (or its first bytes are damaged).")
    version, vendor_length = start[len(MAGIC)], start[len(MAGIC) + 1]
    if version != FORMAT_VERSION:
        raise BackupError(f"This backup has format version {version}; this Keyworker reads version {FORMAT_VERSION}.")
    rest_length = vendor_length + 4 + SALT_BYTES + PREFIX_BYTES + KEY_ID_BYTES
    rest = _read_full(source, rest_length)
    if len(rest) != rest_length:
        raise BackupError("The backup file is cut off inside its header.")
    vendor = rest[:vendor_length].decode("ascii", errors="replace")
    (chunk_size,) = struct.unpack(">I", rest[vendor_length : vendor_length + 4])
    at = vendor_length + 4
    salt, at = rest[at : at + SALT_BYTES], at + SALT_BYTES
    prefix, at = rest[at : at + PREFIX_BYTES], at + PREFIX_BYTES
    header = Header(vendor, chunk_size, salt, prefix, rest[at : at + KEY_ID_BYTES])
    if vendor not in VENDORS or not 0 < chunk_size <= 64 * CHUNK_SIZE:
        raise BackupError("The backup file's header is damaged.")
    return header, start + rest


def decrypt_stream(source: IO[bytes], target: IO[bytes], *, key: bytes) -> Header:
    """Decrypt and authenticate all of `source` into `target`. Raises BackupError on a wrong key or any change
    to the file (the caller must discard what was written: it is only trustworthy when this returns)."""
    header, aad = read_header(source)
    if not secrets.compare_digest(header.key_id, _key_id(key)):
        raise BackupError(f"This backup was made with a different key: {KEY_ENV} does not match. Nothing was restored.")
    aead = AESGCM(_hkdf(key, salt=header.salt, info=b"keyworker-backup v1 file key", length=32))
    number = 0
    while True:
        length_bytes = _read_full(source, 4)
        if len(length_bytes) != 4:
            raise BackupError("The backup file is cut off (its last part is missing). Nothing was restored.")
        (length,) = struct.unpack(">I", length_bytes)
        if not TAG_BYTES <= length <= header.chunk_size + TAG_BYTES:
            raise BackupError("The backup file is damaged or has been altered. Nothing was restored.")
        sealed = _read_full(source, length)
        if len(sealed) != length:
            raise BackupError("The backup file is cut off (its last part is missing). Nothing was restored.")
        plain = None
        for last in (False, True):
            with contextlib.suppress(InvalidTag):
                plain = aead.decrypt(_nonce(header.nonce_prefix, number, last), sealed, aad)
                break
        if plain is None:
            raise BackupError("The backup file is damaged or has been altered. Nothing was restored.")
        target.write(plain)
        number += 1
        if last:
            if source.read(1):
                raise BackupError("The backup file has bytes after its end: it was altered. Nothing was restored.")
            return header


# --- writing a backup file ----------------------------------------------------------------------------------


def default_output(data_dir: Path, now: dt.datetime | None = None) -> Path:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    return data_dir / "backups" / f"keyworker-{stamp}{SUFFIX}"


@contextlib.contextmanager
def _atomic_output(path: Path) -> Iterator[IO[bytes]]:
    """A 0600 file at a temporary name beside `path`, renamed to `path` only when complete."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new backups folder is the owner's alone
    if path.exists():
        raise BackupError(f"{path} exists already; a backup never overwrites one.")
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
        _fsync_dir(path.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be opened
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    vendor: str
    plaintext_bytes: int
    encrypted_bytes: int


def backup_create(*, connection: Any, output: Path, key: bytes) -> BackupResult:
    """Back up the database behind a Django connection into the encrypted file `output`."""
    vendor = connection.vendor
    if vendor not in VENDORS:
        raise BackupError(f"Backups of a {vendor} database are not supported.")
    with tempfile.TemporaryDirectory(prefix="kw-backup-") as work, _atomic_output(output) as out:
        if vendor == "sqlite":
            # The online backup API copies a consistent snapshot while the app goes on writing (WAL).
            snapshot = Path(work) / "snapshot.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(snapshot)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            with snapshot.open("rb") as source:
                size = encrypt_stream(source, out, key=key, vendor=vendor)
        else:
            size = _pg_dump_into(connection.settings_dict, out, key=key, work=Path(work))
    return BackupResult(output, vendor, size, output.stat().st_size)


# --- PostgreSQL's programs ----------------------------------------------------------------------------------


def pg_program(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else the newest /usr/lib/postgresql/*/bin (Debian's layout)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not candidates:
        raise BackupError(f"PostgreSQL's {name} was not found on PATH or in /usr/lib/postgresql/*/bin.")
    return str(candidates[-1])


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for a Django database: the password goes here, never on a command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({k: str(v) for k, v in pairs.items() if v})
    return env


def _pg_dump_into(settings_dict: dict[str, Any], out: IO[bytes], *, key: bytes, work: Path) -> int:
    errors = work / "pg_dump.err"
    with errors.open("wb") as err:
        # Streamed: the dump goes through the encryption as it comes and never reaches the disk in the clear.
        process = subprocess.Popen(  # noqa: S603 (a fixed program and arguments; no shell)
            [pg_program("pg_dump"), "--format=custom", "--no-password"],
            stdout=subprocess.PIPE,
            stderr=err,
            env=pg_environment(settings_dict),
        )
        assert process.stdout is not None
        try:
            size = encrypt_stream(process.stdout, out, key=key, vendor="postgresql")
        finally:
            process.stdout.close()
            status = process.wait()
    if status != 0:
        raise BackupError(f"pg_dump failed (exit {status}): {errors.read_text(errors='replace').strip()}")
    return size


# --- restoring ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    vendor: str
    target: str


def backup_vendor(path: Path) -> str:
    with path.open("rb") as source:
        return read_header(source)[0].vendor


@contextlib.contextmanager
def decrypted(path: Path, *, key: bytes, directory: Path | None = None) -> Iterator[tuple[Path, Header]]:
    """The whole backup decrypted and authenticated into a 0600 temporary file, removed afterwards.
    Nothing is yielded (so nothing restored) unless every chunk checked out."""
    with tempfile.TemporaryDirectory(prefix="kw-restore-", dir=directory) as work:
        plain = Path(work) / "plain"
        fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, path.open("rb") as source:
            header = decrypt_stream(source, out, key=key)
        yield plain, header


def restore_sqlite(path: Path, *, key: bytes, target: Path) -> RestoreResult:
    """Replace the SQLite database file `target` with the backup's copy, atomically (a rename).

    Keyworker must be stopped first: a process with the old file open would go on using it. A write-ahead
    log beside the target that is not empty means something has (or had, before a crash) the database open,
    so the restore refuses."""
    target = target.resolve()
    wal = Path(f"{target}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise BackupError(
            f"{wal} is not empty: Keyworker (or something else) still has the database open, or stopped without "
            "closing it. Stop Keyworker and try again; nothing was restored."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with decrypted(path, key=key, directory=target.parent) as (plain, header):
        _expect_vendor(header, "sqlite")
        check = sqlite3.connect(plain)
        try:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if verdict != "ok":
            raise BackupError(f"The backed-up database fails SQLite's integrity check ({verdict}); nothing restored.")
        os.chmod(plain, 0o600)
        for stale in (wal, Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)
        os.replace(plain, target)
        _fsync_dir(target.parent)
    return RestoreResult("sqlite", str(target))


def restore_postgresql(path: Path, *, key: bytes, settings_dict: dict[str, Any]) -> RestoreResult:
    """pg_restore --clean --if-exists --no-owner into the database `settings_dict` names, in one transaction:
    if anything fails the database is left as it was."""
    with decrypted(path, key=key) as (plain, header):
        _expect_vendor(header, "postgresql")
        completed = subprocess.run(  # noqa: S603 (a fixed program and arguments; no shell)
            [
                pg_program("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                "--dbname",
                str(settings_dict.get("NAME")),
                str(plain),
            ],
            capture_output=True,
            env=pg_environment(settings_dict),
            check=False,
        )
    if completed.returncode != 0:
        raise BackupError(
            f"pg_restore failed (exit {completed.returncode}); the database was left as it was: "
            f"{completed.stderr.decode(errors='replace').strip()}"
        )
    return RestoreResult("postgresql", str(settings_dict.get("NAME")))


def _expect_vendor(header: Header, vendor: str) -> None:
    if header.vendor != vendor:
        raise BackupError(
            f"This is a backup of a {header.vendor} database; the database to restore into is {vendor}. "
            "Nothing was restored."
        )
