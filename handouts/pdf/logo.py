"""Turn a clinic's logo file into the image ReportLab draws: decoded by Pillow once, then from the cache folder.

Decoding a PNG or JPEG needs Pillow, whose import and plugin set-up cost about 6 ms of a cold
`handouts build`. The first process to draw a logo decodes it with ReportLab's `ImageReader` and keeps
what ReportLab then asks of it in the user cache folder (`cache.py`), keyed by the file's bytes: the
pixels (compressed), their mode and size, the alpha channel's pixels, the palette's transparent colour.
A later process builds a `StoredImage` from those: an `ImageReader` that already holds its pixels, so
ReportLab never opens the file with Pillow, and draws the same bytes (a test compares PDFs made with
and without the cache folder for each kind of image). A JPEG is embedded as its own file, as before.

ReportLab internals relied on (ReportLab 4 and 5), all read by `Canvas.drawImage` and
`PDFImageXObject`: an `ImageReader`'s `getRGBData()`, `getSize()`, `jpeg_fh()`, `getTransparent()`,
and its `mode` and `_dataA` (the alpha channel as another reader, or None) attributes.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib.utils import ImageReader

from handouts.cache import entry_key, read_blobs, source_fingerprint, write_blobs

MAX_STORED_BYTES = 4_000_000
"""Decoded pixels larger than this (an RGB logo of about 1,150 pixels a side) are not stored: such a
logo is decoded by Pillow in every process, as compressing megabytes for the cache would cost more."""

MODES = frozenset({"L", "RGB", "CMYK"})
"""The modes ReportLab leaves pixels in after `getRGBData()` (the others are converted to these)."""


class StoredImage(ImageReader):  # type: ignore[misc]
    """An `ImageReader` made from decoded pixels rather than a file: Pillow is not needed to draw it."""

    def __init__(
        self,
        name: str,
        size: tuple[int, int],
        mode: str,
        pixels: bytes,
        alpha: StoredImage | None = None,
        transparent: bytes | None = None,
        jpeg: bytes | None = None,
    ) -> None:
        # ImageReader.__init__ opens the file with Pillow: the fields it would set are set here instead.
        self._ident = None
        self.fileName = name
        self._image = None
        self._width, self._height = size
        self._transparent = transparent
        self._data = pixels
        self._dataA = alpha
        self.mode = mode
        self.fp = io.BytesIO(jpeg) if jpeg is not None else None

    def getRGBData(self) -> bytes:
        return self._data

    def getSize(self) -> tuple[int, int]:
        return self._width, self._height

    def getTransparent(self) -> bytes | None:
        return self._transparent

    def jpeg_fh(self) -> io.BytesIO | None:
        if self.fp is None:
            return None
        self.fp.seek(0)
        return self.fp


def logo_reader(path: Path) -> ImageReader:
    """The logo ready to draw, decoded once per process (read again only when the file changes)."""
    info = path.stat()
    return _cached_reader(path, info.st_size, info.st_mtime_ns)


@lru_cache(maxsize=8)
def _cached_reader(path: Path, size: int, modified: int) -> ImageReader:
    data = path.read_bytes()
    key = entry_key("logo-image", hashlib.sha256(data).digest(), source_fingerprint(__file__))
    stored = read_blobs(key)
    if stored is not None:
        image = _from_entry(str(path), data, *stored)
        if image is not None:
            return image
    reader = ImageReader(str(path))
    entry = _entry(reader)
    if entry is not None:
        write_blobs(key, *entry)
    return reader


def _entry(reader: ImageReader) -> tuple[dict[str, Any], list[bytes]] | None:
    """What a later process needs to draw this reader's image, or None when it is not one ReportLab
    leaves in a plain mode, or too large to store (it is then decoded by Pillow every time)."""
    pixels = reader.getRGBData()  # decoded once; ReportLab keeps the pixels in the reader
    alpha = reader._dataA
    alpha_pixels = alpha.getRGBData() if alpha is not None else b""
    transparent = reader.getTransparent() if alpha is None else None
    if reader.mode not in MODES or (alpha is not None and alpha.mode != "L"):
        return None
    if len(pixels) + len(alpha_pixels) > MAX_STORED_BYTES:
        return None
    if transparent is not None and not isinstance(transparent, bytes):
        return None
    header = {
        "size": list(reader.getSize()),
        "mode": reader.mode,
        "alpha": alpha is not None,
        "transparent": transparent.hex() if transparent is not None else None,
        "jpeg": reader.jpeg_fh() is not None,
    }
    return header, [zlib.compress(pixels), zlib.compress(alpha_pixels)]


def _from_entry(name: str, data: bytes, header: dict[str, Any], blobs: list[bytes]) -> StoredImage | None:
    """The stored image, or None when the entry does not hold one (a damaged entry is a miss)."""
    try:
        width, height = header["size"]
        mode, has_alpha, transparent, jpeg = (
            header["mode"],
            header["alpha"],
            header["transparent"],
            header["jpeg"],
        )
        pixels, alpha_pixels = (zlib.decompress(blob) for blob in blobs)
        shade = bytes.fromhex(transparent) if transparent is not None else None
    except (KeyError, TypeError, ValueError, zlib.error):
        return None
    channels = {"L": 1, "RGB": 3, "CMYK": 4}.get(mode, 0)
    if not (
        isinstance(width, int) and isinstance(height, int) and len(pixels) == width * height * channels > 0
    ):
        return None
    alpha = None
    if has_alpha:
        if len(alpha_pixels) != width * height:
            return None
        alpha = StoredImage(name, (width, height), "L", alpha_pixels)
    return StoredImage(name, (width, height), mode, pixels, alpha, shade, data if jpeg is True else None)
