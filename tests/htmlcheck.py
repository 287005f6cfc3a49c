"""Tools no one here wrote, found where .ci/run installs them: the Nu HTML Checker and axe-core."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

NODE_MODULES = Path(__file__).resolve().parent.parent / ".ci" / "node" / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag2aaa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
"""WCAG 2.2 A and AA, axe's best practices, and its WCAG AAA rules (7:1 text contrast among them)."""


def validate(files: list[Path]) -> list[str]:
    """Every error the Nu HTML Checker finds in these files, as `file:line: message`."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        pytest.skip("the Nu HTML Checker needs java and `npm install --prefix .ci/node` (.ci/run does both)")
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}" for m in messages]


def axe_script() -> str:
    if not AXE_JS.is_file():
        pytest.skip("axe-core is missing: run `npm install --prefix .ci/node` (.ci/run does)")
    return AXE_JS.read_text(encoding="utf-8")


def audit(page: Any, script: str) -> list[str]:
    """axe-core's violations on the page as it is now, one line per rule and element."""
    page.add_script_tag(content=script)
    result = page.evaluate(
        """async tags => await axe.run(document, {
             runOnly: {type: 'tag', values: tags},
             resultTypes: ['violations']})""",
        AXE_TAGS,
    )
    return [
        f"{v['id']}: {n['target']} {n['failureSummary']}" for v in result["violations"] for n in v["nodes"]
    ]


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def printed_words(pdf_text: str, footers: list[str], page_label: str) -> Counter[str]:
    """The words of a PDF's text (pdftotext -raw) without what repeats on every page or labels lists:
    the footers, "Page X of Y" and the numbers of numbered lists."""
    label = re.compile(re.escape(page_label).replace(re.escape("{page}"), r"\d+") + r" \d+")
    lines = []
    for line in pdf_text.splitlines():
        for footer in footers:
            line = line.replace(footer, " ")
        line = re.sub(r"^\s*[1-9]\d?\.\s", " ", label.sub(" ", line))  # a list number, not 0100.
        lines.append(line)
    return words("\n".join(lines))
