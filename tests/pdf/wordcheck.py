"""Read a PDF the way a tag-following reader does (poppler's `pdfinfo -struct-text`) and split it into words."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pdfplumber

_ELEMENT = re.compile(r"^(?P<indent> *)(?P<role>[A-Za-z][\w:-]*)(?: \((?P<kind>block|inline)\))?:?\s*$")
BIDI_MARKS = dict.fromkeys(range(0x202A, 0x202F), " ")
"""pdftotext marks right-to-left runs with embedding marks; they are not text and never join words."""
_TEXT = re.compile(r'^(?P<indent> *)"(?P<text>.*)"\s*$')


@dataclass(frozen=True)
class Block:
    """The text of one block-level element (its own text and its inline elements' text, joined as drawn)."""

    role: str
    text: str


def structure_blocks(path: Path) -> list[Block]:
    """Each block element's text in structure-tree order, as `pdfinfo -struct-text` gives it."""
    listing = subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True
    ).stdout
    stack: list[tuple[int, str, bool, int]] = []  # indent, role, inline, serial number
    blocks: list[Block] = []
    owner, serials = -1, count()
    for line in listing.splitlines():
        text = _TEXT.match(line)
        element = None if text else _ELEMENT.match(line)
        match = text or element
        if match is None:
            continue
        indent = len(match["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if element is not None:
            stack.append((indent, element["role"], element["kind"] == "inline", next(serials)))
            continue
        block = [entry for entry in stack if not entry[2]][-1:] or [(0, "", False, 0)]
        _, role, _, key = block[0]
        if key == owner and blocks:  # more text of the same block, after an inline element
            blocks[-1] = Block(role, blocks[-1].text + text["text"])
        else:
            blocks.append(Block(role, text["text"]))
        owner = key
    return blocks


def structure_words(path: Path) -> list[str]:
    return [word for block in structure_blocks(path) for word in block.text.split()]


def element_words(path: Path) -> list[str]:
    """The words of each element's own text taken alone, as a reader does that does not join an inline
    element (a Link) to the text around it: a word cut at an element's edge reads as two."""
    listing = subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [
        word for line in listing.splitlines() if (text := _TEXT.match(line)) for word in text["text"].split()
    ]


def page_words(path: Path) -> list[str]:
    """The words of the page text (`pdftotext`), artifacts included."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.translate(BIDI_MARKS).split()


def rejoined(read: list[str], printed: list[str]) -> tuple[Counter[str], Counter[str]]:
    """Both word counts, with each word that was split at a line end (a long web address) counted whole.

    The page text gives such a word as two (or three) words on consecutive lines; a reader of the tags
    must get it as one, with no space inside.
    """
    extra, page = Counter(read) - Counter(printed), Counter(printed)
    joins = {
        "".join(printed[i : i + n]): printed[i : i + n] for n in (2, 3) for i in range(len(printed) - n + 1)
    }
    reader = Counter(read)
    for word in list(extra.elements()):
        if word in joins:
            page -= Counter(joins[word])
            page[word] += 1
    return reader, page


def run_together(path: Path) -> list[str]:
    """Words a tag-following reader gets that the printed page does not have (two words run into one)."""
    reader, page = rejoined(structure_words(path), page_words(path))
    return sorted((reader - page).elements())


def artifact_words(path: Path) -> list[str]:
    """The words drawn outside tagged content (footers, repeated table headers), read with pdfplumber."""
    words: list[str] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            furniture = page.filter(lambda obj: obj.get("object_type") != "char" or obj.get("mcid") is None)
            words += [word["text"] for word in furniture.extract_words()]
    return words
