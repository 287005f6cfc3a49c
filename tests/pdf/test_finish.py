"""One save: fields, structure tree and XMP are written by ReportLab's own save, using hooks it still has."""

from __future__ import annotations

import hashlib
import inspect
import io
import subprocess
import sys
from collections.abc import Callable

import pikepdf
import pypdf
import pytest
import reportlab
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import PDFCatalog, PDFDocument, PDFPage
from reportlab.pdfgen.canvas import Canvas

from handouts.pdf import finish
from handouts.pdf.xmp import FINGERPRINT_KEY


def test_reportlab_still_has_the_hooks_the_save_uses() -> None:
    """If a new ReportLab moves these, widen nothing: fix handouts/pdf/finish.py and the pin in pyproject.toml."""
    assert (4, 5) <= tuple(int(part) for part in reportlab.Version.split(".")[:2]) < (5, 2)
    assert {"StructTreeRoot", "MarkInfo", "Metadata", "AcroForm", "Lang"} <= {
        *PDFCatalog.__NoDefault__,
        *PDFCatalog.__Defaults__,
    }
    assert "Annots" in PDFPage.__NoDefault__
    assert not {"StructParents", "Tabs"} & set(PDFPage.__NoDefault__)  # else TaggedPage is not needed
    for name in ("_setAnnotations", "showPage", "save", "_restartAccumulators"):
        assert callable(getattr(Canvas, name))
    for name in ("Reference", "thisPageRef", "thisPageName"):
        assert callable(getattr(PDFDocument, name))


def test_one_save_writes_fields_tree_and_metadata(render: Callable[..., bytes]) -> None:
    pdf = render(type="rrms", notes=["Next MRI in March"], url="https://example.org/ms")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert {"/StructTreeRoot", "/MarkInfo", "/Metadata", "/AcroForm", "/Lang"} <= set(doc.Root.keys())
        assert all(page.obj.Tabs == "/S" for page in doc.pages)
        assert [int(page.obj.StructParents) for page in doc.pages] == list(range(len(doc.pages)))
        widgets = [a for page in doc.pages for a in page.obj.get("/Annots", []) if a.Subtype == "/Widget"]
        assert len(widgets) == len(doc.Root.AcroForm.Fields) > 0
        assert all("/StructParent" in annotation for annotation in widgets)
        assert all(annotation.P.objgen == page.objgen for page in doc.pages for annotation in _widgets(page))
        links = [a for page in doc.pages for a in page.obj.get("/Annots", []) if a.Subtype == "/Link"]
        assert links
        printed = " ".join(
            " ".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split()
        )
        described = [str(link.Contents) for link in links if str(link.Contents) != str(link.A.URI)]
        assert described, "links in the text are described by their printed words"
        assert all(words in printed for words in described)


def _widgets(page: pikepdf.Page) -> list[pikepdf.Dictionary]:
    return [a for a in page.obj.get("/Annots", []) if a.Subtype == "/Widget"]


def test_untagged_unfillable_handout_has_only_metadata(render: Callable[..., bytes]) -> None:
    pdf = render(tags=False, fillable=False)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        keys = set(doc.Root.keys())
        assert "/Metadata" in keys
        assert not {"/StructTreeRoot", "/MarkInfo", "/AcroForm"} & keys
        assert all("/StructParents" not in page.obj for page in doc.pages)
        assert "pdfuaid:part" not in doc.open_metadata()


def test_fingerprint_reaches_the_xmp_metadata(engine: object) -> None:
    from handouts.render import render_handout

    from ..conftest import make_spec

    pdf = render_handout(make_spec(), engine, fingerprint="abc123").pdf  # type: ignore[arg-type]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert str(doc.open_metadata()[FINGERPRINT_KEY]) == "abc123"


@pytest.mark.parametrize("flags", [[], ["--no-tags", "--no-fillable"]])
def test_a_build_never_loads_pikepdf(flags: list[str]) -> None:
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom handouts.cli import main\n"
        f"result = CliRunner().invoke(main, ['build', '-o', '-', '--type', 'rrms', *{flags!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print('pikepdf' in sys.modules)\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip().splitlines()[-1] == "False"


SAVE_LOOP_SOURCES = {
    "PDFDocument.format": "536ea7a675493430",
    "PDFDocument.Reference": "75342ed129b2115c",
    "PDFIndirectObject.format": "51e5f73e4f8e16f6",
    "PDFCrossReferenceSubsection.format": "0d32d663d4b10289",
    "PDFCatalog.format": "5f903fa92af59133",
}
"""Digests of the ReportLab code handouts/pdf/savefile.py (and finish.py's FastPage) repeats (the same in
4.5.0 to 5.1.0)."""


def test_reportlab_still_saves_the_way_the_fast_save_repeats() -> None:
    """If this fails, a new ReportLab changed its save loop: bring handouts/pdf/savefile.py in line with it
    (`FastPage` in finish.py with `PDFCatalog.format`, tokens.py with `pdfdoc.format`), then update the
    digests."""
    for name, digest in SAVE_LOOP_SOURCES.items():
        cls, method = name.split(".")
        source = inspect.getsource(getattr(getattr(pdfdoc, cls), method))
        assert hashlib.sha256(source.encode()).hexdigest()[:16] == digest, name
    document = Canvas(io.BytesIO())._doc
    names = (
        "objectcounter",
        "numberToId",
        "idToObject",
        "idToObjectNumberAndVersion",
        "idToOffset",
        "_pdfVersion",
    )
    for name in names:
        assert hasattr(document, name), name
    assert callable(document.ID)
    assert callable(pdfdoc.PDFFile().add)


@pytest.mark.parametrize("flags", [{}, {"tags": False, "fillable": False}])
def test_the_fast_save_writes_the_file_reportlab_would(
    engine: object, monkeypatch: pytest.MonkeyPatch, flags: dict[str, bool]
) -> None:
    """Ready objects are copied into the file by our save loop: ReportLab's own loop writes the same bytes."""
    from handouts.render import render_handout

    from ..conftest import make_spec

    spec = make_spec(type="rrms", notes=["Next MRI in March"], url="https://example.org/ms", **flags)
    fast = render_handout(spec, engine).pdf  # type: ignore[arg-type]
    monkeypatch.setattr(finish, "use_fast_save", lambda document: None)
    assert render_handout(spec, engine).pdf == fast  # type: ignore[arg-type]


class _ReportLabTaggedPage(PDFPage):  # type: ignore[misc]
    """A tagged page written by ReportLab's own PDFCatalog.format."""

    __NoDefault__ = finish.TaggedPage.__NoDefault__


@pytest.mark.parametrize(
    ("ours", "reportlabs"), [(finish.FastPage, PDFPage), (finish.TaggedPage, _ReportLabTaggedPage)]
)
def test_pages_are_written_as_reportlab_writes_them(ours: type, reportlabs: type) -> None:
    def saved(page_class: type) -> bytes:
        canvas = Canvas(io.BytesIO(), invariant=1)
        canvas.drawString(72, 72, "A page with a link")
        canvas.linkURL("https://example.org/ms", (72, 72, 160, 84))
        canvas.showPage()
        page = canvas._doc.Pages.pages[0]
        page.__class__ = page_class
        page.StructParents, page.Tabs = 0, pdfdoc.PDFName("S")
        pdf: bytes = canvas.getpdfdata()
        return pdf

    assert saved(ours) == saved(reportlabs)
    if ours is finish.TaggedPage:
        assert b"/StructParents 0" in saved(ours)
