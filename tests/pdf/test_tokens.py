"""The fast formatter writes exactly the bytes ReportLab's own formatting writes, for every value kind we use."""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObjectReference,
    PDFStream,
    PDFString,
)
from reportlab.pdfgen.canvas import Canvas

from handouts.pdf.tokens import (
    FastDictionary,
    FastStream,
    ReadyObject,
    ReadyStream,
    pdf_string,
    token,
)


@pytest.fixture
def document() -> Any:
    canvas = Canvas(io.BytesIO(), invariant=1)
    canvas.showPage()
    return canvas._doc


@pytest.fixture(params=[0, 1], ids=["one-line", "multi-line"])
def layout(request: pytest.FixtureRequest) -> Iterator[None]:
    """ReportLab's two layouts of dictionaries and arrays (the save uses one line, its default)."""
    before = rl_config.pdfMultiLine
    rl_config.pdfMultiLine = request.param
    yield
    rl_config.pdfMultiLine = before


TEXTS = [
    "plain words",
    "q-start-medicine-asked",
    "(parentheses) and back\\slash",
    "¿Debo empezar un medicamento?",
    "Zo\u00eb \u00c5ngstr\u00f6m \u2013 \u201cquoted\u201d",
    "山田 花子 محمد",
    "tab\tand newline\n",
    "",
]


def values(document: Any) -> list[Any]:
    stream = PDFStream(PDFDictionary({"Type": PDFName("XObject")}), b"0 0 m")
    return [
        PDFName("Annot"),
        PDFName("odd name#(x)"),
        "false",
        0,
        -3,
        2**60,
        True,
        552.4,
        83.5935,
        1e-9,
        -0.25,
        1 / 3,
        b"(ready)",
        PDFObjectReference("Page1"),
        stream,
        *(PDFString(text) for text in TEXTS),
        PDFArray([0, 0, 13, 13.5]),
        PDFArray(list(range(25))),
        pdfdoc.PDFArrayCompact([1, 2, 3]),
        PDFDictionary({"S": PDFName("URI"), "URI": PDFString("https://example.org/a(b)")}),
    ]


@pytest.mark.usefixtures("layout")
def test_each_value_is_written_as_reportlab_writes_it(document: Any) -> None:
    for value in values(document):
        assert token(value, document) == pdfdoc.format(value, document), value


@pytest.mark.usefixtures("layout")
def test_dictionaries_and_streams_are_written_as_reportlab_writes_them(document: Any) -> None:
    entries = {f"Key{index}": value for index, value in enumerate(values(document))}
    assert FastDictionary(entries).format(document) == PDFDictionary(entries).format(document)
    ordered = OrderedDict([("Type", PDFName("Annot")), ("A", 1), ("Rect", PDFArray([1, 2, 3, 4]))])
    assert FastDictionary(ordered).format(document) == PDFDictionary(ordered).format(document)
    small = {"Type": PDFName("Annot"), "P": PDFObjectReference("Page1")}
    assert FastDictionary(small).format(document) == PDFDictionary(small).format(document)
    form = {"Type": PDFName("XObject"), "Subtype": PDFName("Form"), "BBox": PDFArray([0, 0, 9.5, 12])}
    for content in (b"", b"/Tx BMC EMC", "text, not bytes"):
        fast = FastStream(FastDictionary(form), content).format(document)
        assert fast == PDFStream(PDFDictionary(form), content).format(document)


def test_a_compressed_stream_is_left_to_reportlab(document: Any) -> None:
    plain = PDFStream(PDFDictionary({}), b"0 0 m 1 1 l S", filters=[pdfdoc.PDFZCompress])
    fast = FastStream(FastDictionary({}), b"0 0 m 1 1 l S", filters=[pdfdoc.PDFZCompress])
    assert fast.format(document) == plain.format(document)


@given(st.text(max_size=40))
def test_any_string_is_encoded_as_pdfstring_encodes_it(text: str) -> None:
    assert pdf_string(text) == PDFString(text).format(pdfdoc.DummyDoc())


@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9)
    | st.integers(-(10**18), 10**18)
)
def test_any_number_is_written_as_fp_str_writes_it(number: float) -> None:
    assert token(number, pdfdoc.DummyDoc()) == pdfdoc.format(number, pdfdoc.DummyDoc())


def test_ready_objects_are_written_as_they_are(document: Any) -> None:
    assert ReadyObject(b"<</Marked true>>").format(document) == b"<</Marked true>>"
    stream = ReadyStream(b"<<\n/Length 0\n>>\nstream\nendstream\n")
    reference = PDFObjectReference(document.Reference(stream).name)
    assert token(stream, document) == pdfdoc.format(reference, document)
