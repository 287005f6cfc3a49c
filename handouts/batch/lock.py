"""Turn an output folder into one batch's own while it runs: a second batch into it is refused at once.

The lock is `flock` on a file in the folder: the kernel releases it when the process ends, however it
ends (kill -9 included), so a crash never leaves it stuck. The file is removed when the batch finishes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from handouts.errors import UsageError

LOCK_NAME = ".handouts-batch.lock"


@contextlib.contextmanager
def folder_lock(folder: Path, option: str) -> Iterator[None]:
    """Hold the folder's batch lock for the block, or raise UsageError if another batch holds it."""
    path = folder / LOCK_NAME
    handle = _acquire(path, option)
    try:
        yield
    finally:
        if handle is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)
            os.close(handle)


def _acquire(path: Path, option: str) -> int | None:
    """The locked file's handle; None in a folder nobody can write to (so no batch can spoil it)."""
    for _ in range(10):  # the file can be removed by the batch that just finished: open it again
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError:
            return None  # read-only: each row then fails with its own message, as without a lock
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            raise UsageError(
                f"{option} {path.parent}: another handouts batch is writing into this folder "
                "(wait for it to finish, or choose another folder)"
            ) from None
        except OSError:
            os.close(handle)
            raise
        try:
            same = os.fstat(handle).st_ino == os.stat(path, follow_symlinks=False).st_ino
        except OSError:
            same = False
        if same:
            return handle
        os.close(handle)
    raise UsageError(f"{option} {path.parent}: the batch lock keeps changing (run the batch again)")
