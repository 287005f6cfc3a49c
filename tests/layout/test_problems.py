"""Layout, Markdown, XML and YAML errors carry the place, the fault and the fix apart, as made where found."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.errors import ContentError, HandoutsError, LayoutError, Problem, SpecError
from handouts.layout.markup import markdown_to_xml
from handouts.xmltree import parse_handout_xml
from handouts.yamlfile import parse_yaml


def only_problem(exc: pytest.ExceptionInfo[HandoutsError]) -> Problem:
    assert len(exc.value.problems) == 1
    problem = exc.value.problems[0]
    assert str(problem) == exc.value.message  # the one line printed is the problem itself
    return problem


def test_markdown_problem_names_file_line_and_fix() -> None:
    with pytest.raises(ContentError) as exc:
        markdown_to_xml("First line.\n\nSome *italic* text.\n", Path("en/a/b.md"), first_line=7)
    problem = only_problem(exc)
    assert (problem.file, problem.line) == ("en/a/b.md", 9)
    assert problem.message == "italics are not allowed"
    assert problem.hint == "use **bold** for emphasis"


def test_xml_problem_names_origin_line_and_fix() -> None:
    with pytest.raises(LayoutError) as exc:
        parse_handout_xml("<handout>\n<blink/>\n</handout>", "layouts/x.xml.j2")
    problem = only_problem(exc)
    assert (problem.file, problem.line) == ("layouts/x.xml.j2", 2)
    assert problem.message == "unknown element <blink>"
    assert problem.hint == "see docs/markup.md for the vocabulary"


def test_yaml_problem_keeps_the_fix_apart() -> None:
    with pytest.raises(SpecError) as exc:
        parse_yaml("a: &x 1\nb: *x\n", "spec.yaml", SpecError)
    problem = only_problem(exc)
    assert (problem.file, problem.line) == ("spec.yaml", 1)
    assert problem.hint == "write the value out"
