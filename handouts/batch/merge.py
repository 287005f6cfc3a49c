"""Turn finished handout PDFs into one print-ready PDF: records in order, a bookmark each, duplex padding."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from handouts.errors import OutputError
from handouts.write import atomic_file


@dataclass(frozen=True)
class MergeRecord:
    """One handout to add to the print file, and the bookmark label that leads to it."""

    path: Path
    label: str


@dataclass(frozen=True)
class Merged:
    """What the print file holds."""

    records: int
    pages: int


def merge_handouts(records: Iterable[MergeRecord], target: Path, duplex: bool = False) -> Merged:
    """Write `target` atomically: every record's pages in order, one top-level bookmark per record."""
    sources: list[pikepdf.Pdf] = []  # pages copied from a source need it open until the save
    try:
        with pikepdf.new() as out:
            with out.open_outline() as outline:
                for record in records:
                    start = len(out.pages)
                    sources.append(_open_record(record.path))
                    title = _append_record(out, sources[-1], duplex)
                    label = f"{record.label}: {title}" if title else record.label
                    outline.root.append(pikepdf.OutlineItem(label, start))
            out.docinfo[pikepdf.Name.Title] = f"Print file: {len(sources)} handouts"
            out.Root.PageMode = pikepdf.Name.UseOutlines
            _save_atomic(out, target)
            return Merged(records=len(sources), pages=len(out.pages))
    finally:
        for source in sources:
            source.close()


def _open_record(path: Path) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(path.read_bytes()))
    except (OSError, pikepdf.PdfError) as exc:
        raise OutputError(f"{path}: cannot be read for the print file ({exc}; run the batch again)") from exc


def _append_record(out: pikepdf.Pdf, source: pikepdf.Pdf, duplex: bool) -> str:
    """Copy one handout's pages (and a blank page when duplex needs it); return the handout's title."""
    strip_form(source)
    out.pages.extend(source.pages)
    if duplex and len(source.pages) % 2:
        box = source.pages[-1].mediabox
        out.add_blank_page(page_size=(float(box[2]) - float(box[0]), float(box[3]) - float(box[1])))
    return str(source.docinfo.get(pikepdf.Name.Title, ""))


def _save_atomic(pdf: pikepdf.Pdf, target: Path) -> None:
    """Save beside the target, then rename: no half-written print file ever exists."""
    with atomic_file(target) as stream:
        pdf.save(
            stream,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )


def strip_form(pdf: pikepdf.Pdf) -> None:
    """Drop the fillable fields: on paper the printed boxes and lines are what counts."""
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots is not None:
            kept = [a for a in annots if a.get("/Subtype") != pikepdf.Name.Widget]
            if kept:
                page.obj.Annots = pikepdf.Array(kept)
            else:
                del page.obj["/Annots"]
    if "/AcroForm" in pdf.Root:
        del pdf.Root["/AcroForm"]
