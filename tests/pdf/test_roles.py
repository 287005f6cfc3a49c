"""Roles fit their meaning: marked content agrees with its element, callouts group blocks, printed addresses link."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pytest

from handouts.render import Engine, render_handout
from handouts.vocabulary import web_href

from ..conftest import FIXTURES, make_spec
from ..pdfcheck import walk_structure

ENGINE = Engine.from_dirs(templates_dirs=[FIXTURES / "layouts"])
VARIANTS = [
    {},
    {"print": "large"},
    {"layout": "summary"},
    {"language": "es", "allow_fallback": True},
    {"notes": ["Bring your scan results."]},
    {"layout": "tagging"},
]


def marked_tags(pdf: pikepdf.Pdf) -> dict[tuple[int, int], str]:
    """The tag each MCID's BDC operator gives it, by (page index, MCID)."""
    tags: dict[tuple[int, int], str] = {}
    for index, page in enumerate(pdf.pages):
        for item in pikepdf.parse_content_stream(page):
            if str(item.operator) == "BDC" and isinstance(item.operands[1], pikepdf.Dictionary):
                mcid = item.operands[1].get("/MCID")
                if mcid is not None:
                    tags[(index, int(mcid))] = str(item.operands[0])[1:]
    return tags


def elements_by_role(root: Any, role: str) -> list[Any]:
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
        stack.extend(k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k)
        if node.get("/S") == f"/{role}":
            found.append(node)
    return found


@pytest.mark.parametrize("values", VARIANTS, ids=lambda v: "-".join(map(str, v)) or "standard")
def test_every_marked_sequence_is_tagged_with_its_elements_role(values: dict[str, Any]) -> None:
    with pikepdf.open(io.BytesIO(render_handout(make_spec(**values), ENGINE).pdf)) as pdf:
        walk, tags = walk_structure(pdf), marked_tags(pdf)
        roles = {key: element.role for element in walk.elements for key in element.content}
        assert walk.problems == []
        assert {key: tags[key] for key in roles} == roles


def test_the_key_points_heading_is_h2_in_content_and_tree() -> None:
    with pikepdf.open(io.BytesIO(render_handout(make_spec(), ENGINE).pdf)) as pdf:
        walk, tags = walk_structure(pdf), marked_tags(pdf)
        aside = next(i for i, e in enumerate(walk.elements) if e.role == "Aside")
        heading = walk.elements[aside + 1]
        assert heading.role == "H2"
        assert {tags[key] for key in heading.content} == {"H2"}


def test_the_crisis_callout_is_a_section_with_its_heading_not_a_note() -> None:
    with pikepdf.open(io.BytesIO(render_handout(make_spec(), ENGINE).pdf)) as pdf:
        assert "Note" not in [e.role for e in walk_structure(pdf).elements]
        texts = _element_texts(pdf)
    crisis = [t for t in texts if t[1].startswith("Help in a crisis")]
    assert crisis == [("Sect", "Help in a crisis Thoughts of self-harm need help right away.")]


def _element_texts(pdf: pikepdf.Pdf) -> list[tuple[str, str]]:
    """Each grouping element's role with the first sentence of its text, read along the tree."""
    import pdfplumber

    raw = io.BytesIO()
    pdf.save(raw)
    chars: dict[tuple[int, int], str] = {}
    with pdfplumber.open(raw) as doc:
        for index, page in enumerate(doc.pages):
            for char in page.chars:
                if char.get("mcid") is not None:
                    key = (index, char["mcid"])
                    chars[key] = chars.get(key, "") + char["text"]
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    result = []
    for group in elements_by_role(pdf.Root.StructTreeRoot, "Sect") + elements_by_role(
        pdf.Root.StructTreeRoot, "Div"
    ):
        text = " ".join(_text(kid, chars, pages, None) for kid in _kids(group)).split(". ")[0]
        result.append((str(group.S)[1:], " ".join(text.split()) + "."))
    return result


def _kids(node: Any) -> list[Any]:
    kids = node.get("/K")
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []


def _text(node: Any, chars: dict[tuple[int, int], str], pages: dict[Any, int], page: int | None) -> str:
    if isinstance(node, int):
        return chars.get((page if page is not None else -1, node), "")
    if node.get("/Type") == "/OBJR":
        return ""
    if node.get("/Type") == "/MCR":
        return chars.get((pages[node.Pg.objgen], int(node.MCID)), "")
    page = pages[node.Pg.objgen] if "/Pg" in node else page
    return " ".join(_text(kid, chars, pages, page) for kid in _kids(node))


def test_printed_web_addresses_are_links_in_the_tree() -> None:
    clinic = {"name": "Riverside MS Centre", "website": "riverside.example.org"}
    pdf_bytes = render_handout(make_spec(clinic=clinic, url="https://example.org/ms"), ENGINE).pdf
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        links = [e for e in walk_structure(pdf).elements if e.role == "Link"]
    targets = [link.annotations[0]["URI"] for link in links if link.annotations]
    assert targets[0] == "https://riverside.example.org"
    assert "https://example.org/ms" in targets
    assert all(link.annotations for link in links)


@pytest.mark.parametrize(
    ("printed", "href"),
    [
        ("riverside.example.org", "https://riverside.example.org"),
        ("http://clinic.example.org/ms", "http://clinic.example.org/ms"),
        ("www.example.co.uk/neuro", "https://www.example.co.uk/neuro"),
        ("see the front desk", ""),
        ("javascript:alert(1)", ""),
        ("info@example.org", ""),
        ("", ""),
    ],
)
def test_only_a_web_address_becomes_a_link(printed: str, href: str) -> None:
    assert web_href(printed) == href
