"""Turn derived values (a parsed library, compiled templates) into files in the user's cache folder, so
a new process reads them back instead of making them again.

Only values this package made are stored, and only as JSON text, bytes it made (a compressed font
program, decoded logo pixels) behind a JSON header that gives their lengths (`write_blobs`), or
marshalled code objects that it compiled itself; nothing is ever unpickled. Each entry is named by a
hash of everything it was made from (the caller's inputs, the package version, the Python version, and
the source of the code that made it), so a changed input or a new release simply misses. Each file carries a SHA-256 of its
payload, checked on reading: a torn or damaged file is a miss. Entries are written to a temporary file
in the same folder and renamed into place, so concurrent writers never mix; a read-only or missing
folder only means no cache. The folder and its files are used only when they belong to the current user
and nobody else may write to them. `HANDOUTS_CACHE_DIR` chooses the folder; set it to `off` to disable.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import threading
from functools import cache
from pathlib import Path
from typing import Any

from handouts import __version__

CACHE_ENV = "HANDOUTS_CACHE_DIR"
FORMAT = b"handouts-cache 1\n"
"""The first line of every entry; bump it when the layout of an entry changes."""
_DIGEST = 64  # hex characters of a SHA-256


@cache
def cache_folder() -> Path | None:
    """The user cache folder for handouts, or None when caching is off."""
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen.lower() in {"off", "0", "no", "false"}:
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.environ.get("LOCALAPPDATA") if sys.platform == "win32" else None
    )
    return (Path(base) if base else Path.home() / ".cache") / "handouts"


def entry_key(kind: str, *parts: str | bytes) -> str:
    """A file name for an entry of `kind` made from `parts`, this package's version and Python's."""
    digest = hashlib.sha256(f"{kind}\0{__version__}\0{sys.version}\0".encode())
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return f"{kind}-{digest.hexdigest()[:40]}"


@cache
def source_fingerprint(*files: str) -> str:
    """A hash of the source files of the code that makes an entry (so a changed generator misses)."""
    digest = hashlib.sha256()
    for name in files:
        digest.update(Path(name).read_bytes())
    return digest.hexdigest()


def read_entry(key: str) -> bytes | None:
    """The payload stored under `key`, or None (missing, damaged, or not safely ours)."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        with open(folder / key, "rb") as stream:
            if not (_private(os.fstat(stream.fileno())) and _private(os.stat(folder))):
                return None
            data = stream.read()
    except OSError:
        return None
    header = len(FORMAT) + _DIGEST + 1
    if not data.startswith(FORMAT) or len(data) < header:
        return None
    payload = data[header:]
    if hashlib.sha256(payload).hexdigest().encode() != data[len(FORMAT) : header - 1]:
        return None
    return payload


def write_entry(key: str, payload: bytes) -> None:
    """Store `payload` under `key` atomically; any failure (read-only, full, no folder) is ignored."""
    folder = cache_folder()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(os.stat(folder)):
            return
        temporary = folder / f".tmp-{os.getpid()}-{threading.get_ident()}-{key}"
        handle = os.open(
            temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(FORMAT + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
        os.replace(temporary, folder / key)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def write_blobs(key: str, header: dict[str, Any], blobs: list[bytes]) -> None:
    """Store a JSON header and byte strings under `key` (one JSON line giving their lengths, then them)."""
    line = json.dumps({"header": header, "lengths": [len(blob) for blob in blobs]}).encode()
    write_entry(key, line + b"\n" + b"".join(blobs))


def read_blobs(key: str) -> tuple[dict[str, Any], list[bytes]] | None:
    """The header and byte strings stored by `write_blobs`, or None (missing, damaged or not such an entry)."""
    payload = read_entry(key)
    if payload is None:
        return None
    line, _, rest = payload.partition(b"\n")
    try:
        data = json.loads(line)
        header, lengths = data["header"], data["lengths"]
    except (ValueError, TypeError, KeyError):
        return None
    if not (
        isinstance(header, dict)
        and isinstance(lengths, list)
        and all(isinstance(n, int) and n >= 0 for n in lengths)
        and sum(lengths) == len(rest)
    ):
        return None
    blobs, start = [], 0
    for length in lengths:
        blobs.append(rest[start : start + length])
        start += length
    return header, blobs


def _private(info: os.stat_result) -> bool:
    """True when the current user owns it and nobody else may write to it."""
    if not hasattr(os, "getuid"):
        return True  # Windows: the user's own profile folder
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
