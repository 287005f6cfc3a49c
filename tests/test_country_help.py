"""Where to get help: the country of a handout, its confirmed help numbers, the clinic phone, the source cap."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from handouts.clinic import Clinic, clinic_country_warning, parse_clinic
from handouts.engine import Engine
from handouts.errors import SpecError
from handouts.layout.context import MAX_PRINTED_SOURCES, block_context, markdown_literal, printed_sources
from handouts.render import handout_xml, render_handout
from handouts.spec import HandoutSpec
from handouts.vocabulary import AUDIENCES, STAGES, TYPES
from handouts.xmltree import parse_handout_xml

from .conftest import make_spec, pdf_text

Cli = Callable[..., Result]
COMBINATIONS = list(itertools.product((None, *TYPES), STAGES, AUDIENCES))

# The numbers of the fact base (F-HELP-02..04), exactly as written there, by country.
CONFIRMED = {
    "US": {"1-800-344-4867", "988", "911"},
    "GB": {"0808 800 8000", "116 123", "111", "999"},
    "AU": {"13 11 14", "000"},
}
PHONE = re.compile(r"\d[\d -]*\d|\d")


def help_text(spec: HandoutSpec, engine: Engine) -> str:
    """The printed text of the 'Where to get help' block of a handout."""
    root = parse_handout_xml(handout_xml(spec, engine), "test")
    texts, inside = [], False
    for node in _walk(root):
        if node.tag == "heading":
            inside = node.text() in ("Where to get help", "Dónde pedir ayuda")
        elif inside and node.tag in ("item", "paragraph"):
            texts.append(node.text())
    return "\n".join(texts)


def _walk(node):  # type: ignore[no-untyped-def]
    yield node
    for child in node.elements():
        yield from _walk(child)


# --- country: spec, clinic, default ---------------------------------------------------------------


def test_spec_country_wins_then_the_clinic_then_us() -> None:
    clinic = parse_clinic({"name": "Clinic", "country": "gb"}, "clinic.yaml", Path())
    assert clinic.country == "GB"
    assert make_spec(clinic={"name": "Clinic", "country": "AU"}, country="US").help_country == "US"
    assert make_spec(clinic={"name": "Clinic", "country": "AU"}).help_country == "AU"
    assert make_spec().help_country == "US"
    assert make_spec(country="uk").country == "GB"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"country": "FR"}, "test: country: 'FR' is not allowed (choose one of: US, GB, AU)"),
        (
            {"clinic": {"name": "C", "country": "Canada"}},
            "country: 'Canada' is not allowed (choose one of: US, GB, AU)",
        ),
    ],
)
def test_unknown_country_names_the_field_and_the_choices(values: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError) as caught:
        make_spec(**values)
    assert message in caught.value.message


def test_a_clinic_abroad_without_country_is_one_warning_line(cli: Cli, tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("name: Thames MS Clinic\naddress: 1 High Street, London, United Kingdom\n")
    result = cli("build", "--clinic", str(clinic), "--emit", "xml")
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {clinic}: address names the United Kingdom but the clinic has no country, so handouts "
        "print the help numbers for the United States (add `country: GB` to the clinic profile)"
    ]
    assert "1-800-344-4867" in result.stdout
    quiet = cli("build", "--clinic", str(clinic), "--country", "GB", "--emit", "xml")
    assert "warning:" not in quiet.stderr
    assert "0808 800 8000" in quiet.stdout


def test_addresses_in_the_us_or_with_a_country_give_no_warning() -> None:
    assert clinic_country_warning(Clinic(name="C", address="1 River Road, Springfield, IL, USA")) is None
    assert (
        clinic_country_warning(Clinic(name="C", address="1 George St, Sydney, Australia", country="AU"))
        is None
    )
    warning = clinic_country_warning(Clinic(name="C", address="10 King St, Sydney NSW, Australia"))
    assert warning is not None
    assert "add `country: AU`" in warning
    other = clinic_country_warning(Clinic(name="C", address="1 Rue de la Paix, Toronto, Canada"))
    assert other is not None
    assert "names Canada" in other
    assert "confirmed only for US, GB, AU" in other


def test_block_bodies_see_country_language_and_layout() -> None:
    context = block_context(make_spec(language="es", country="AU", layout="summary"))
    assert (context["country"], context["language"], context["layout"]) == ("AU", "es", "summary")


def test_country_is_a_manifest_column(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,type,country\na,rrms,GB\nb,rrms,XX\n", encoding="utf-8")
    result = cli("batch", str(manifest), "-o", str(tmp_path / "out"), "--dry-run")
    assert result.exit_code == 1
    assert "m.csv:3: country: 'XX' is not allowed (choose one of: US, GB, AU)" in result.output
    assert "render   " in result.output


# --- where to get help ----------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "country"), list(itertools.product(["en", "es"], ["US", "GB", "AU"])))
def test_help_prints_only_the_confirmed_numbers_of_its_country(
    engine: Engine, language: str, country: str
) -> None:
    for layout in ("standard", "summary"):
        text = help_text(make_spec(language=language, country=country, layout=layout), engine)
        dialled = text.replace("988lifeline.org", "").replace("marque 2", "")  # a key to press, not a number
        numbers = {n.strip() for n in PHONE.findall(dialled)}
        assert numbers == CONFIRMED[country], (layout, text)


def test_every_standard_and_summary_handout_has_the_help_block(engine: Engine) -> None:
    for (type_, stage, audience), layout in itertools.product(COMBINATIONS, ("standard", "summary")):
        spec = HandoutSpec(type=type_, stage=stage, audience=audience, layout=layout)
        text = help_text(spec, engine)
        for part in ("The MS team", "1-800-344-4867", "988"):
            assert part in text, (part, type_, stage, audience, layout)


def test_spanish_handouts_for_the_us_say_988_answers_in_spanish(engine: Engine) -> None:
    text = help_text(make_spec(language="es"), engine)
    assert "al 988, a cualquier hora. En español: marque 2, o envíe AYUDA al 988." in text
    assert "español" not in help_text(make_spec(language="es", country="GB"), engine)


def test_the_clinic_phone_is_printed_as_typed(engine: Engine) -> None:
    spec = make_spec(clinic={"name": "St <Mary> & *Co*", "phone": "+44 (0)20 [7946] *0000*"}, country="GB")
    text = help_text(spec, engine)
    assert "The MS team at St <Mary> & *Co*: call +44 (0)20 [7946] *0000*." in text
    assert "call " not in help_text(make_spec(), engine).split("\n")[0]


def test_markdown_literal_escapes_every_punctuation_mark() -> None:
    assert markdown_literal("(555) *1*") == r"\(555\) \*1\*"


def test_help_in_the_pdf_for_the_uk(render: Callable[..., bytes]) -> None:
    text = pdf_text(render(country="GB", clinic={"name": "Thames MS Clinic", "phone": "020 7946 0000"}))
    assert "Samaritans (UK): if you are struggling to cope, call free on 116 123, day or night." in text
    assert "020 7946 0000" in text
    assert "1-800-344-4867" not in text


# --- sources and the large-print summary ------------------------------------------------------------


def test_at_most_eight_sources_and_a_line_to_the_full_list(engine: Engine) -> None:
    for (type_, stage, audience), language in itertools.product(COMBINATIONS, ("en", "es")):
        xml = handout_xml(HandoutSpec(type=type_, stage=stage, audience=audience, language=language), engine)
        assert xml.count("<source>") <= MAX_PRINTED_SOURCES
        if xml.count("<source>") == MAX_PRINTED_SOURCES:
            assert "handouts list --sources" in xml


def test_sources_for_another_country_are_left_out(engine: Engine) -> None:
    library = engine.library("en")
    getting_help = [library.blocks["getting-help"]]
    shown = {s.id: s.country for s in printed_sources(library, getting_help, "GB").shown}
    assert set(shown.values()) <= {"", "GB"}
    assert "samaritans-contact" in shown


def test_list_sources_prints_every_cited_source(cli: Cli, engine: Engine) -> None:
    result = cli("list", "--sources")
    assert result.exit_code == 0
    library = engine.library("en")
    cited = {s for block in library.blocks.values() for s in block.sources}
    listed = {
        line.strip()
        for line in result.output.splitlines()
        if line.startswith("  ") and not line.startswith("    ")
    }
    assert listed == cited
    assert f"Sources ({len(cited)}), most-cited first:" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "es"])
def test_large_print_summary_keeps_what_the_standard_one_prints(engine: Engine, language: str) -> None:
    for type_, stage, audience in COMBINATIONS:
        spec = HandoutSpec(type=type_, stage=stage, audience=audience, language=language, layout="summary")
        standard = render_handout(spec, engine)
        large = render_handout(HandoutSpec(**{**spec.__dict__, "print_size": "large"}), engine)
        assert (standard.pages, large.pages <= 2) == (1, True)
        for tag in ("<question ", "<item>"):
            assert large.xml.count(tag) >= standard.xml.count(tag), (tag, type_, stage, audience)
        for question in re.findall(r'<question id="([^"]+)"', standard.xml):
            assert f'<question id="{question}"' in large.xml
        for line in ("988", "1-800-344-4867", "right away" if language == "en" else "enseguida"):
            assert line in pdf_text(large.pdf), (line, type_, stage, audience)


# --- the web form -------------------------------------------------------------------------------------


def test_the_web_form_chooses_the_country(engine: Engine) -> None:
    from handouts.web.app import create_app
    from handouts.web.form import FormValues, parse_form
    from handouts.web.options import make_offer

    offer = make_offer(engine)
    clinic = Clinic(name="Thames MS Clinic", country="GB")
    assert parse_form(FormValues(), offer, clinic).help_country == "GB"
    assert parse_form(FormValues(country="AU"), offer, clinic).help_country == "AU"
    with pytest.raises(SpecError) as caught:
        parse_form(FormValues(country="FR"), offer, None)
    fields = {problem.field: problem.detail for problem in caught.value.problems}
    assert fields["country"] == "'FR' is not allowed (choose one of: US, GB, AU)"
    page = create_app(engine, clinic).test_client().get("/").get_data(as_text=True)
    assert '<select id="f-country" name="country"' in page
    assert '<option value="GB">United Kingdom</option>' in page


def test_country_flag_takes_any_case_and_names_the_choices(cli: Cli) -> None:
    assert "116 123" in cli("build", "--country", "gb", "--emit", "xml").stdout
    result = cli("build", "--country", "FR", "--emit", "xml")
    assert result.exit_code == 2
    assert "command line: country: 'FR' is not allowed (choose one of: US, GB, AU)" in result.output
