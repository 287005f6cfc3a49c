"""Turn ReportLab's PDF into the finished file: fillable form fields, XMP metadata, viewer settings."""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pikepdf
from reportlab.pdfbase.ttfonts import TTFontFile

from handouts.pdf.fields import FieldRequest
from handouts.xmltree import HandoutMeta

FIELD_FONT = "HandoutsFieldFont"
MULTILINE = 1 << 12
PROVENANCE_NS = "urn:handouts:provenance:1.0"
FINGERPRINT_KEY = f"{{{PROVENANCE_NS}}}specFingerprint"


@dataclass(frozen=True)
class FinishOptions:
    """What the post-pass writes besides the fields."""

    meta: HandoutMeta
    field_font: Path
    field_font_size: float
    fingerprint: str = ""
    """The batch's hash of the spec, so a rerun can tell an up-to-date file; empty writes nothing."""


def finish_pdf(
    pdf_bytes: bytes, fields: Sequence[FieldRequest], options: FinishOptions, tagger: Any = None
) -> bytes:
    """Add form fields and metadata (and, through `tagger`, the structure tree); return new bytes."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        widgets = add_fields(pdf, fields, options) if fields else {}
        if tagger is not None:
            tagger(pdf, widgets)
        write_metadata(pdf, options, tagged=tagger is not None)
        out = io.BytesIO()
        pdf.save(
            out,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        return out.getvalue()


def add_fields(
    pdf: pikepdf.Pdf, fields: Sequence[FieldRequest], options: FinishOptions
) -> dict[int, list[Any]]:
    """Create checkbox and multi-line text widgets; return the widgets of each page (0-based)."""
    font = pdf.make_indirect(_field_font(pdf, options.field_font))
    acroform = pikepdf.Dictionary(
        Fields=pikepdf.Array(),
        DR=pikepdf.Dictionary(Font=pikepdf.Dictionary({f"/{FIELD_FONT}": font})),
        DA=pikepdf.String(f"/{FIELD_FONT} {options.field_font_size:g} Tf 0 g"),
        NeedAppearances=False,
    )
    widgets: dict[int, list[Any]] = {}
    for request in fields:
        page = pdf.pages[request.page - 1]
        widget = pdf.make_indirect(_widget(pdf, request, page.obj, options))
        acroform.Fields.append(widget)
        if "/Annots" not in page.obj:
            page.obj.Annots = pikepdf.Array()
        page.obj.Annots.append(widget)
        widgets.setdefault(request.page - 1, []).append(widget)
    pdf.Root.AcroForm = pdf.make_indirect(acroform)
    return widgets


def _widget(pdf: pikepdf.Pdf, request: FieldRequest, page: Any, options: FinishOptions) -> pikepdf.Dictionary:
    x0, y0, x1, y1 = request.rect
    width, height = x1 - x0, y1 - y0
    common = {
        "/Type": pikepdf.Name.Annot,
        "/Subtype": pikepdf.Name.Widget,
        "/F": 4,
        "/P": page,
        "/T": pikepdf.String(request.name),
        "/TU": pikepdf.String(request.tooltip),
        "/Rect": pikepdf.Array([x0, y0, x1, y1]),
    }
    if request.kind == "checkbox":
        on = _appearance(pdf, width, height, _check_mark(width, height))
        off = _appearance(pdf, width, height, b"")
        return pikepdf.Dictionary(
            {
                **common,
                "/FT": pikepdf.Name.Btn,
                "/V": pikepdf.Name.Off,
                "/AS": pikepdf.Name.Off,
                "/AP": pikepdf.Dictionary(N=pikepdf.Dictionary(Yes=on, Off=off)),
            }
        )
    return pikepdf.Dictionary(
        {
            **common,
            "/FT": pikepdf.Name.Tx,
            "/Ff": MULTILINE,
            "/DA": pikepdf.String(f"/{FIELD_FONT} {options.field_font_size:g} Tf 0 g"),
            "/AP": pikepdf.Dictionary(N=_appearance(pdf, width, height, b"/Tx BMC EMC")),
        }
    )


def _appearance(pdf: pikepdf.Pdf, width: float, height: float, content: bytes) -> pikepdf.Stream:
    stream = pikepdf.Stream(pdf, content)
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Form
    stream.BBox = pikepdf.Array([0, 0, width, height])
    return pdf.make_indirect(stream)


def _check_mark(width: float, height: float) -> bytes:
    """A tick drawn as a path, so the checkbox needs no font."""
    points = [(0.2, 0.5), (0.42, 0.25), (0.8, 0.8)]
    (ax, ay), (bx, by), (cx, cy) = ((x * width, y * height) for x, y in points)
    return f"0 G 2 w 1 J 1 j {ax:.2f} {ay:.2f} m {bx:.2f} {by:.2f} l {cx:.2f} {cy:.2f} l S".encode()


@lru_cache(maxsize=4)
def _font_program(path: Path) -> tuple[bytes, dict[str, Any]]:
    """The compressed TTF and the metrics a simple TrueType font dictionary needs (read once)."""
    face = TTFontFile(str(path))
    widths = []
    for code in range(32, 256):
        char = bytes([code]).decode("cp1252", errors="replace")
        widths.append(face.charWidths.get(ord(char), face.defaultWidth))
    metrics = {
        "name": face.name.decode() if isinstance(face.name, bytes) else str(face.name),
        "ascent": face.ascent,
        "descent": face.descent,
        "bbox": face.bbox,
        "cap_height": face.capHeight,
        "stem_v": face.stemV,
        "widths": widths,
    }
    return zlib.compress(path.read_bytes(), 9), {**metrics, "length": path.stat().st_size}


def _field_font(pdf: pikepdf.Pdf, path: Path) -> pikepdf.Dictionary:
    """The whole body font embedded as a WinAnsi TrueType font, so typed text always has glyphs."""
    compressed, m = _font_program(path)
    font_file = pikepdf.Stream(pdf, compressed)  # compressed once per process, not once per handout
    font_file.Filter = pikepdf.Name.FlateDecode
    font_file.Length1 = m["length"]
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name("/" + m["name"]),
        Flags=32,
        FontBBox=pikepdf.Array(m["bbox"]),
        ItalicAngle=0,
        Ascent=m["ascent"],
        Descent=m["descent"],
        CapHeight=m["cap_height"],
        StemV=m["stem_v"],
        FontFile2=pdf.make_indirect(font_file),
    )
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.TrueType,
        BaseFont=pikepdf.Name("/" + m["name"]),
        FirstChar=32,
        LastChar=255,
        Widths=pikepdf.Array(m["widths"]),
        Encoding=pikepdf.Name.WinAnsiEncoding,
        FontDescriptor=pdf.make_indirect(descriptor),
    )


def write_metadata(pdf: pikepdf.Pdf, options: FinishOptions, tagged: bool) -> None:
    """XMP metadata mirroring the document info, plus language and provenance."""
    pdf.Root.Lang = pikepdf.String(options.meta.lang)
    pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = options.meta.title
        meta["dc:description"] = options.meta.subject
        meta["dc:creator"] = [options.meta.author]
        meta["dc:language"] = [options.meta.lang]
        meta["pdf:Keywords"] = options.meta.keywords
        meta["xmp:CreatorTool"] = options.meta.generator
        meta[f"{{{PROVENANCE_NS}}}contentVersion"] = options.meta.content_version
        meta[f"{{{PROVENANCE_NS}}}oldestReview"] = options.meta.oldest_review
        meta[f"{{{PROVENANCE_NS}}}generator"] = options.meta.generator
        if options.fingerprint:
            meta[FINGERPRINT_KEY] = options.fingerprint
        if tagged:
            meta["pdfuaid:part"] = "1"
