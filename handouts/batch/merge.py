"""Turn finished handout PDFs into one print-ready PDF: records in order, a bookmark each, duplex padding."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from handouts.batch.print_file import Bookmark, PdfStreamWriter, copy_handout
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
    """Write `target` atomically: every record's pages in order, one top-level bookmark per record.

    Records are copied one at a time, straight to the file (see `print_file`): memory does not grow
    with the number of records. A write that fails (a full disk) removes the part file and raises
    OutputError; the handouts themselves are never touched.
    """
    count = 0
    with atomic_file(target) as stream:
        writer = PdfStreamWriter(stream)
        bookmarks: list[Bookmark] = []
        for record in records:
            start = writer.page_count
            with _open_record(record.path) as source:
                title = str(source.docinfo.get(pikepdf.Name.Title, ""))
                last_box = copy_handout(source, writer)
            if duplex and (writer.page_count - start) % 2:
                writer.blank_page(last_box)
            bookmarks.append(Bookmark(f"{record.label}: {title}" if title else record.label, start))
            count += 1
        writer.finish(f"Print file: {count} handouts", bookmarks)
        pages = writer.page_count
    return Merged(records=count, pages=pages)


def _open_record(path: Path) -> pikepdf.Pdf:
    try:
        return pikepdf.open(path)
    except (OSError, pikepdf.PdfError) as exc:
        raise OutputError(f"{path}: cannot be read for the print file ({exc}; run the batch again)") from exc
