"""Turn ReportLab's document, as it saves, into the finished file: form fields, structure tree, XMP metadata.

Everything is written in ReportLab's own save, so a handout is serialised once. ReportLab's catalog
already takes /StructTreeRoot, /MarkInfo, /Metadata and /AcroForm; what it lacks is small and lives here:

- `TaggedPage`, a PDFPage that also writes /StructParents and /Tabs /S (ReportLab's page lists the keys
  it writes in `__NoDefault__`), and `FastPage`, which every page of a handout becomes: its dictionary
  written as `PDFCatalog.format` writes it, through tokens.py;
- `FinishingCanvas`, a canvas mixin whose `_setAnnotations` (called by `Canvas.showPage` with each
  finished page, and by `endForm` with each form) adds the page's form widgets after its links, makes its
  links `FastDictionary`s and a tagged page a `TaggedPage`;
- `finish_document`, called just before `Canvas.save`, which adds the AcroForm, the structure tree and
  the XMP metadata, and lets the document save through `FastSaveDocument` (savefile.py).

The save is fast because our objects are written by tokens.py (ReportLab's bytes with less work) or are
already bytes (structtree.py), and savefile.py copies them into the file without ReportLab's per-object
wrapper: the structure tree, fields and metadata of a handout add about a millisecond to its save.

These rely on ReportLab internals that are stable across the versions pinned in pyproject.toml and
checked by tests/pdf/test_finish.py (and tests/pdf/test_tokens.py, which compares our bytes with
ReportLab's): `Canvas._setAnnotations`, `Canvas._annotationrefs`, `PDFDocument.Reference`, `thisPageRef`,
`idToObject`, `Pages.pages`, the catalog's `__NoDefault__`, `__Defaults__` and `__Refs__`, and
`PDFCatalog.format` (which `FastPage` repeats); ReportLab's save loop (`PDFDocument.format`,
`PDFIndirectObject.format`, `objectcounter`, `numberToId`, `idToObjectNumberAndVersion`, `idToOffset`,
`_pdfVersion`, `PDFFile`, `PDFCrossReferenceSubsection.format`, `PDFTrailer`, `ID`), which savefile.py
repeats; and `pdfdoc.format` with the `format` methods of PDFDictionary, PDFArray, PDFString, PDFStream
and `rl_config.pdfMultiLine`, which tokens.py repeats for the values we write.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.pdfbase.pdfdoc import NoEncryption, PDFDictionary, PDFName, PDFObjectReference, PDFPage

from handouts.pdf.fields import FieldRequest
from handouts.pdf.savefile import use_fast_save
from handouts.pdf.structtree import Annotation, write_structure
from handouts.pdf.tagging import MarkedContent
from handouts.pdf.tokens import FastDictionary, FastStream, dictionary_bytes
from handouts.pdf.widgets import acroform, field_font, widget
from handouts.pdf.xmp import xmp_packet
from handouts.xmltree import HandoutMeta

_STRUCTURE_ORDER, _METADATA, _XML = (PDFName(name) for name in ("S", "Metadata", "XML"))


@dataclass(frozen=True)
class FinishOptions:
    """What the save writes besides the pages."""

    meta: HandoutMeta
    field_font: Path
    field_font_size: float
    fingerprint: str = ""
    """The batch's hash of the spec, so a rerun can tell an up-to-date file; empty writes nothing."""
    tagged: bool = True


class FastPage(PDFPage):  # type: ignore[misc]
    """A page written as `PDFCatalog.format` writes it (the same entries, the same bytes), with its
    dictionary formatted by tokens.py instead of ReportLab's generic walk."""

    def format(self, document: Any) -> bytes:
        if type(document.encrypt) is not NoEncryption:
            formatted: bytes = super().format(document)
            return formatted
        self.check_format(document)
        entries = {}
        for key, default in self.__Defaults__.items():
            if (value := getattr(self, key, default)) is not None:
                entries[key] = value
        for key in self.__NoDefault__:
            if (value := getattr(self, key, None)) is not None:
                entries[key] = value
        for key in self.__Refs__:
            if key in entries:
                entries[key] = document.Reference(entries[key])
        return dictionary_bytes(entries, PDFDictionary.multiline, document)


class TaggedPage(FastPage):
    """A page of a tagged PDF: it names its entry in the parent tree and orders tabs by structure."""

    __NoDefault__ = (*PDFPage.__NoDefault__, "StructParents", "Tabs")


class FinishingCanvas:
    """Mixed into the canvas a handout is drawn on: each finished page gets its form widgets, and on a
    tagged PDF its /StructParents and /Tabs. Fields are asked for in `handout_fields` while drawing."""

    handout_fields: list[FieldRequest]
    handout_widgets: dict[str, Annotation]
    handout_finish: FinishOptions | None = None

    def _setAnnotations(self, page: Any) -> None:
        canv: Any = self
        options = self.handout_finish
        if options is not None and type(page) is PDFPage:  # forms (XObjects) come through here too
            _speed_up_links(canv._doc, canv._annotationrefs)
            number = canv.getPageNumber()
            for request in self.handout_fields:
                if request.page == number:
                    annotation = widget(request, canv._doc.thisPageRef(), options.field_font_size)
                    reference = canv._doc.Reference(annotation)
                    canv._annotationrefs.append(reference)
                    self.handout_widgets[request.name] = (annotation, reference)
            page.__class__ = TaggedPage if options.tagged else FastPage
            if options.tagged:
                page.StructParents = number - 1
                page.Tabs = _STRUCTURE_ORDER
        super()._setAnnotations(page)  # type: ignore[misc]


def _speed_up_links(document: Any, references: list[PDFObjectReference]) -> None:
    """ReportLab makes each link annotation a PDFDictionary: make it a FastDictionary, which writes the
    same bytes with less work (its class changes, nothing else)."""
    objects = document.idToObject
    for reference in references:
        annotation = objects[reference.name]
        if type(annotation) is PDFDictionary:
            annotation.__class__ = FastDictionary


def finish_document(canv: Any, options: FinishOptions, marks: MarkedContent | None) -> None:
    """Add the AcroForm, the structure tree and the XMP metadata to the canvas's document before it saves."""
    document = canv._doc
    use_fast_save(document)
    widgets: dict[str, Annotation] = getattr(canv, "handout_widgets", {})
    if widgets:
        font = field_font(document, options.field_font)
        fields = [reference for _, reference in widgets.values()]
        document.Catalog.AcroForm = acroform(fields, font, options.field_font_size)
    if marks is not None:
        write_structure(document, widgets, marks)
    metadata = FastDictionary({"Type": _METADATA, "Subtype": _XML})
    document.Catalog.Metadata = FastStream(
        metadata, xmp_packet(options.meta, options.fingerprint, marks is not None)
    )
