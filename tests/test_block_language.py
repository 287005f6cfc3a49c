"""A block printed in another language (an English fallback in a Spanish handout or sheet) is marked as
that language in the handout XML, the PDF's structure tree and the web page; nothing else is."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from handouts.engine import Engine
from handouts.pdf.reading import reading_text
from handouts.render import Rendered, handout_xml, render_handout, render_handout_html
from handouts.xmltree import Node, parse_document_xml

from .conftest import FIXTURES, make_spec
from .html.test_page import parse
from .pdf.test_tagging import squeezed
from .pdfcheck import check_tagged_pdf, mcid_texts, structure_text

FALLBACK = FIXTURES / "fallback"
"""One English block, `local-support`, with no Spanish version."""
ENGLISH_BLOCK = "Our support group meets every month."
NOTE = "(Solo disponible en inglés)"


@pytest.fixture(scope="module")
def fallback_engine() -> Engine:
    return Engine.from_dirs((FALLBACK,))


@pytest.fixture(scope="module")
def english_sheet_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The fixture sheet `sample` in English only: every part of it falls back in Spanish."""
    folder = tmp_path_factory.mktemp("english-sheet")
    shutil.copytree(FIXTURES / "sheets" / "en", folder / "en")
    return Engine.from_dirs((folder,))


def spanish(**values: Any) -> Any:
    return make_spec(language="es", allow_fallback=True, **values)


@dataclass
class Element:
    """A structure element as a reader meets it: role, /Lang, its own text and its kids."""

    role: str
    lang: str
    text: str
    kids: list[Element] = field(default_factory=list)

    def walk(self) -> list[Element]:
        return [self, *(e for kid in self.kids for e in kid.walk())]

    def all_text(self) -> str:
        return " ".join(" ".join([self.text, *(kid.all_text() for kid in self.kids)]).split())


def structure(data: bytes) -> tuple[str, Element]:
    """The catalog's /Lang and the structure tree, each element with the text of its marked content."""
    texts = mcid_texts(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        root = pdf.Root.StructTreeRoot.K
        return str(pdf.Root.Lang), _element(root, None, pages, texts)


def _element(node: Any, page: int | None, pages: dict[Any, int], texts: dict[Any, str]) -> Element:
    page = pages[node.Pg.objgen] if "/Pg" in node else page
    found = Element(str(node.S)[1:], str(node.get("/Lang", "")), "")
    kids = node.get("/K")
    own: list[str] = []
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int):
            own.append(texts.get((page, kid), ""))
        elif "/MCID" in kid:
            own.append(texts.get((pages[kid.Pg.objgen], int(kid.MCID)), ""))
        elif kid.get("/Type") == "/StructElem":
            found.kids.append(_element(kid, page, pages, texts))
    found.text = " ".join(" ".join(own).split())
    return found


def walk(node: Node) -> list[Node]:
    return [node, *(n for child in node.elements() for n in walk(child))]


# --- the handout XML ---------------------------------------------------------------------------------


def test_the_xml_marks_the_english_block_and_its_note_in_spanish(fallback_engine: Engine) -> None:
    root = parse_document_xml(handout_xml(spanish(), fallback_engine), "es")
    assert root.attrs["lang"] == "es"
    blocks = [n for n in walk(root) if n.tag == "block"]
    assert [b.attrs for b in blocks] == [{"lang": "en"}]
    (block,) = blocks
    assert [(n.tag, n.text()) for n in block.elements()][:3] == [
        ("heading", "Local support"),
        ("paragraph", NOTE),
        ("paragraph", ENGLISH_BLOCK),
    ]
    assert block.elements()[1].attrs == {"lang": "es"}
    assert "lang" not in block.elements()[0].attrs


def test_a_handout_without_fallback_has_no_language_marks(engine: Engine) -> None:
    for language in ("en", "es"):
        xml = handout_xml(make_spec(language=language), engine)
        assert "<block" not in xml
        assert not [
            n for n in walk(parse_document_xml(xml, language)) if n.tag != "handout" and "lang" in n.attrs
        ]


def test_the_summary_marks_the_english_block_too(tmp_path: Path) -> None:
    """The summary prints the when-to-call section: an English block there is marked, whole or as its key point."""
    block = tmp_path / "en" / "when-to-call" / "call-the-nurse.md"
    block.parent.mkdir(parents=True)
    text = (FALLBACK / "en" / "about-ms" / "local-support.md").read_text(encoding="utf-8")
    block.write_text(
        text.replace("id: local-support", "id: call-the-nurse")
        .replace("topic: about-ms", "topic: when-to-call\nkey_point: Call the MS nurse line first.")
        .replace("Local support", "Call the nurse"),
        encoding="utf-8",
    )
    engine = Engine.from_dirs((tmp_path,))
    for size, printed in (("standard", ENGLISH_BLOCK), ("large", "Call the MS nurse line first.")):
        root = parse_document_xml(handout_xml(spanish(layout="summary", print=size), engine), size)
        blocks = [n for n in walk(root) if n.tag == "block"]
        assert [b.attrs["lang"] for b in blocks] == ["en"], size
        assert printed in blocks[0].text(), size


# --- the PDF -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fallback_rendered(fallback_engine: Engine) -> Rendered:
    return render_handout(spanish(), fallback_engine)


@pytest.fixture(scope="module")
def fallback_pdf(fallback_rendered: Rendered) -> bytes:
    return fallback_rendered.pdf


def test_the_pdf_gives_the_english_block_its_own_language(fallback_pdf: bytes) -> None:
    lang, tree = structure(fallback_pdf)
    assert lang == "es"
    marked = [e for e in tree.walk() if e.lang]
    divs = [e for e in marked if e.lang == "en-US"]
    assert [(e.role, e.all_text()) for e in divs] == [
        ("Div", f"Local support {NOTE} {ENGLISH_BLOCK} • It meets in the library. • Carers are welcome too.")
    ]
    (div,) = divs
    assert [kid.role for kid in div.kids] == ["H3", "P", "P", "L"]
    note = div.kids[1]
    assert (note.lang, note.text) == ("es", NOTE)
    # Everything else inherits the document's Spanish: no other element names a language.
    assert [e for e in marked if e is not div and e is not note] == []
    assert sum(1 for e in tree.walk() if e.role == "Sect") > 3


def test_the_tagged_pdf_is_still_whole(
    fallback_rendered: Rendered, fallback_pdf: bytes, tmp_path: Path
) -> None:
    assert check_tagged_pdf(fallback_pdf) == []
    read = reading_text(parse_document_xml(fallback_rendered.xml, "es"))
    assert squeezed(structure_text(fallback_pdf)) == squeezed("".join(read))
    path = tmp_path / "fallback.pdf"
    path.write_bytes(fallback_pdf)
    qpdf = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
    assert qpdf.returncode == 0, qpdf.stdout + qpdf.stderr
    assert "No syntax or stream encoding errors found" in qpdf.stdout
    listed = subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True
    ).stdout
    lines = listed.splitlines()
    div = next(i for i, line in enumerate(lines) if line.strip() == "Div")
    indent = len(lines[div]) - len(lines[div].lstrip())
    inside = []
    for line in lines[div + 1 :]:
        if len(line) - len(line.lstrip()) <= indent:
            break
        inside.append(line.strip())
    assert f'"{ENGLISH_BLOCK}"' in inside
    assert f'"{NOTE}"' in inside


def test_a_pdf_without_fallback_names_no_language_below_the_catalog(render: Any) -> None:
    for language in ("en", "es"):
        lang, tree = structure(render(language=language, type="rrms"))
        assert lang == {"en": "en-US", "es": "es"}[language]
        assert [e.role for e in tree.walk() if e.lang] == []


def test_a_spanish_sheet_in_english_marks_each_english_section(english_sheet_engine: Engine) -> None:
    spec = spanish(sheets=["sample"], sheets_only=True)
    root = parse_document_xml(handout_xml(spec, english_sheet_engine), "sheet")
    sections = [n for n in walk(root) if n.tag == "section"]
    marked = [s for s in sections if any(c.tag == "block" for c in s.elements())]
    assert marked, "no section of the English sheet is marked"
    for section in marked:
        (block,) = section.elements()
        assert block.attrs == {"lang": "en"}
        assert block.elements()[0].tag == "heading"
    lang, tree = structure(render_handout(spec, english_sheet_engine).pdf)
    assert lang == "es"
    divs = [e for e in tree.walk() if e.lang == "en-US"]
    assert len(divs) >= len(marked)
    assert all(e.role == "Div" for e in divs)
    assert {e.lang for e in tree.walk()} <= {"", "en-US", "es"}


def test_a_pack_keeps_the_marks_of_its_parts(fallback_engine: Engine) -> None:
    spec = spanish(type="rrms", sheets=["fatigue"])
    lang, tree = structure(render_handout(spec, fallback_engine).pdf)
    assert lang == "es"
    assert [e.role for e in tree.walk() if e.lang == "en-US"] == ["Div"]
    assert ENGLISH_BLOCK in next(e for e in tree.walk() if e.lang == "en-US").all_text()


# --- the web page ------------------------------------------------------------------------------------


def test_the_web_page_gives_the_english_block_its_own_language(fallback_engine: Engine) -> None:
    html = render_handout_html(spanish(), fallback_engine)
    page = parse(html)
    assert page.all("html") == [{"lang": "es"}]
    assert page.all("div").count({"lang": "en"}) == 1
    inside = html.split('<div lang="en">', 1)[1].split("</div>", 1)[0]
    assert "<h3>Local support</h3>" in inside
    assert f'<p lang="es"><strong>{NOTE}</strong></p>' in inside
    assert ENGLISH_BLOCK in inside
    assert 'lang="en"' not in html.replace('<div lang="en">', "", 1)


def test_a_web_page_without_fallback_names_no_language_below_the_page(engine: Engine) -> None:
    html = render_handout_html(make_spec(language="es", type="rrms"), engine)
    assert html.count("lang=") == 1
