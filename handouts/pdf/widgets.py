"""Turn the form fields flowables asked for into ReportLab widget annotations and the document's AcroForm.

ReportLab's own AcroForm support draws with Helvetica and ZapfDingbats; these widgets instead tick with a
vector path and type in the handout's body font, embedded whole, so every field prints in the theme font.
Every object here is a `FastDictionary` or `FastStream` (handouts/pdf/tokens.py: ReportLab's bytes, written
with less work), its strings encoded once, and the field font's widths formatted once per process.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.pdfbase.pdfdoc import PDFArray, PDFName, PDFObjectReference
from reportlab.pdfbase.ttfonts import TTFontFile

from handouts.cache import entry_key, read_blobs, source_fingerprint, write_blobs
from handouts.pdf.fields import FieldRequest
from handouts.pdf.tokens import (
    FastDictionary,
    FastStream,
    ReadyStream,
    pdf_string,
    plain_token,
    stream_bytes,
)

FIELD_FONT = "HandoutsFieldFont"
MULTILINE = 1 << 12
PRINT = 4
"""Annotation flag: print the field's appearance with the page."""


def field_appearance(font_size: float) -> str:
    """The default appearance: the embedded body font at the body size, black."""
    return f"/{FIELD_FONT} {font_size:g} Tf 0 g"


_ANNOT, _WIDGET, _BUTTON, _TEXT, _OFF = (PDFName(name) for name in ("Annot", "Widget", "Btn", "Tx", "Off"))
"""Names every widget writes, escaped once (PDFName walks its argument character by character)."""


def widget(request: FieldRequest, page: PDFObjectReference, font_size: float) -> FastDictionary:
    """A checkbox (ticked with a path) or a multi-line text field over the rectangle the flowable drew."""
    x0, y0, x1, y1 = request.rect
    width, height = x1 - x0, y1 - y0
    entries: dict[str, Any] = {
        "Type": _ANNOT,
        "Subtype": _WIDGET,
        "F": PRINT,
        "P": page,
        "T": pdf_string(request.name),
        "TU": pdf_string(request.tooltip),
        "Rect": PDFArray([x0, y0, x1, y1]),
    }
    if request.kind == "checkbox":
        on = _appearance(width, height, "checked")
        off = _appearance(width, height, "empty")
        entries |= {
            "FT": _BUTTON,
            "V": _OFF,
            "AS": _OFF,
            "AP": FastDictionary({"N": FastDictionary({"Yes": on, "Off": off})}),
        }
    else:
        entries |= {
            "FT": _TEXT,
            "Ff": MULTILINE,
            "DA": pdf_string(field_appearance(font_size)),
            "AP": FastDictionary({"N": _appearance(width, height, "text")}),
        }
    return FastDictionary(entries)


def acroform(
    fields: Sequence[PDFObjectReference], font: PDFObjectReference, font_size: float
) -> FastDictionary:
    """The document's interactive form: its fields, the font they type in, appearances supplied."""
    return FastDictionary(
        {
            "Fields": PDFArray(list(fields)),
            "DR": FastDictionary({"Font": FastDictionary({FIELD_FONT: font})}),
            "DA": pdf_string(field_appearance(font_size)),
            "NeedAppearances": "false",
        }
    )


def _appearance(width: float, height: float, kind: str) -> ReadyStream:
    """A form XObject drawing a field's appearance (a checked or empty box, or a text field's): written once
    per size and kind (every checkbox of a handout has the same two), each use its own object."""
    return ReadyStream(_appearance_bytes(width, height, kind))


@lru_cache(maxsize=256)
def _appearance_bytes(width: float, height: float, kind: str) -> bytes:
    content = {"checked": _check_mark(width, height), "empty": b"", "text": b"/Tx BMC EMC"}[kind]
    form = {"Type": PDFName("XObject"), "Subtype": PDFName("Form"), "BBox": PDFArray([0, 0, width, height])}
    return stream_bytes(form, content)


def _check_mark(width: float, height: float) -> bytes:
    """A tick drawn as a path, so the checkbox needs no font."""
    points = [(0.2, 0.5), (0.42, 0.25), (0.8, 0.8)]
    (ax, ay), (bx, by), (cx, cy) = ((x * width, y * height) for x, y in points)
    return f"0 G 2 w 1 J 1 j {ax:.2f} {ay:.2f} m {bx:.2f} {by:.2f} l {cx:.2f} {cy:.2f} l S".encode()


@lru_cache(maxsize=4)
def _font_program(path: Path) -> tuple[bytes, dict[str, Any]]:
    """The compressed TTF and the metrics a simple TrueType font dictionary needs (read once per process).

    Both are kept in the user cache folder, keyed by the font file's bytes and this module's source:
    a new process reads them back instead of parsing the font and compressing it again (about 5 ms).
    """
    data = path.read_bytes()
    key = entry_key("field-font", hashlib.sha256(data).digest(), source_fingerprint(__file__))
    stored = read_blobs(key)
    if stored is not None and len(stored[1]) == 1 and set(stored[0]) == _METRICS:
        return stored[1][0], stored[0]
    compressed, metrics = zlib.compress(data, 9), {**_font_metrics(path), "length": len(data)}
    write_blobs(key, metrics, [compressed])
    return compressed, metrics


_METRICS = {"name", "ascent", "descent", "bbox", "cap_height", "stem_v", "widths", "length"}


def _font_metrics(path: Path) -> dict[str, Any]:
    face = TTFontFile(str(path))
    widths = []
    for code in range(32, 256):
        char = bytes([code]).decode("cp1252", errors="replace")
        widths.append(face.charWidths.get(ord(char), face.defaultWidth))
    return {
        "name": face.name.decode() if isinstance(face.name, bytes) else str(face.name),
        "ascent": face.ascent,
        "descent": face.descent,
        "bbox": list(face.bbox),
        "cap_height": face.capHeight,
        "stem_v": face.stemV,
        "widths": widths,
    }


def field_font(document: Any, path: Path) -> PDFObjectReference:
    """The whole body font as a WinAnsi TrueType font, added to ReportLab's `document`; its reference."""
    compressed, m = _font_program(path)  # compressed once per process, not once per handout
    widths, bbox, name = _font_tokens(path)
    font_file = FastStream(FastDictionary({"Filter": _FLATE, "Length1": m["length"]}), compressed)
    descriptor = FastDictionary(
        {
            "Type": _FONT_DESCRIPTOR,
            "FontName": name,
            "Flags": 32,
            "FontBBox": bbox,
            "ItalicAngle": 0,
            "Ascent": m["ascent"],
            "Descent": m["descent"],
            "CapHeight": m["cap_height"],
            "StemV": m["stem_v"],
            "FontFile2": document.Reference(font_file),
        }
    )
    font = FastDictionary(
        {
            "Type": _FONT,
            "Subtype": _TRUETYPE,
            "BaseFont": name,
            "FirstChar": 32,
            "LastChar": 255,
            "Widths": widths,
            "Encoding": _WIN_ANSI,
            "FontDescriptor": document.Reference(descriptor),
        }
    )
    reference: PDFObjectReference = document.Reference(font)
    return reference


_FLATE, _FONT_DESCRIPTOR, _FONT, _TRUETYPE, _WIN_ANSI = (
    PDFName(name) for name in ("FlateDecode", "FontDescriptor", "Font", "TrueType", "WinAnsiEncoding")
)


@lru_cache(maxsize=4)
def _font_tokens(path: Path) -> tuple[bytes, bytes, bytes]:
    """The field font's /Widths (224 numbers) and /FontBBox arrays and its name, formatted once per process."""
    m = _font_program(path)[1]
    widths, bbox = (plain_token(PDFArray(list(numbers))) for numbers in (m["widths"], m["bbox"]))
    return widths, bbox, plain_token(PDFName(m["name"]))
