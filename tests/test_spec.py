"""Flags, files and rows become one validated HandoutSpec, or one message naming every problem."""

from __future__ import annotations

import re

import pytest

from handouts.errors import SpecError

from .conftest import make_spec


def test_spec_defaults_to_general_newly_diagnosed_patient() -> None:
    spec = make_spec()
    assert (spec.type, spec.stage, spec.audience, spec.paper, spec.layout) == (
        None,
        "newly-diagnosed",
        "patient",
        "letter",
        "standard",
    )


def test_spec_reports_every_problem_with_valid_values() -> None:
    with pytest.raises(SpecError) as caught:
        make_spec(type="rrsm", paper="legal", colour="blue")
    message = caught.value.message
    assert "type: 'rrsm' is not allowed (choose one of: cis, rrms, spms, ppms)" in message
    assert "paper: 'legal' is not allowed (choose one of: letter, a4)" in message
    assert "colour: unknown key" in message
    assert caught.value.exit_code == 2


def test_spec_rejects_bad_date_and_overlong_note() -> None:
    with pytest.raises(SpecError) as caught:
        make_spec(date="26/11/2026", notes=["x" * 5000])
    assert "date: '26/11/2026' is not a date (write it as YYYY-MM-DD" in caught.value.message
    assert "keep each note under 2,000 characters" in caught.value.message


def test_the_unprintable_characters_are_exactly_those_outside_xml_text() -> None:
    from handouts.spec import _NOT_TEXT

    xml_char = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # XML 1.0's Char
    every = "".join(map(chr, range(0x110000)))
    assert "".join(_NOT_TEXT.findall(every)) == xml_char.sub("", every)
