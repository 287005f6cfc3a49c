"""Write bytes to a file atomically: a temp file in the same folder, then a rename over the final name."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from handouts.errors import OutputError


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder, fsync, then rename over the final name."""
    with atomic_file(path) as stream:
        stream.write(data)


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A stream to a temp file beside `path`, renamed to `path` only when the block finishes."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder (give a file name such as {path / 'handout.pdf'})")
    if path.exists() and not path.is_file():  # never replace a device, pipe or socket (as root: /dev/null)
        raise OutputError(
            f"{path}: is a device or pipe, not a file (give a file name, or - for standard output)"
        )
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist (create it first)")
    try:
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write here: {exc.strerror} (choose a folder you can write to)"
        ) from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise OutputError(
            f"{path}: could not be written: {exc.strerror} (check free space and permissions)"
        ) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
