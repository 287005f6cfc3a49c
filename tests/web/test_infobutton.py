"""The Infobutton link as a health record uses it: a real `handouts serve`, urllib and http.client, real PDFs."""

from __future__ import annotations

import http.client
import io
import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest

from handouts.content.selection import select_blocks
from handouts.engine import Engine
from handouts.pdf.themes import contrast_ratio
from handouts.spec import SPEC_KEYS, parse_spec
from handouts.vocabulary import HANDOUT_TITLES
from handouts.web.infobutton_codes import code_systems

from ..conftest import pdf_text
from .test_web import TEXT_COLOURS, Server, _hex, browser, running_server

__all__ = ["browser"]  # the chromium fixture of the form's tests, shared

ATOM = "{http://www.w3.org/2005/Atom}"
ICD10CM = "2.16.840.1.113883.6.90"
SNOMED = "2.16.840.1.113883.6.96"
ICD10 = "2.16.840.1.113883.6.3"
ICD9CM = "2.16.840.1.113883.6.103"
CANARY = "Zqxcanary7Wv"
SPANISH_TITLES = {"rrms": "EM remitente-recurrente (EMRR)"}
CLINIC = "Lakeside Neurology"
FATIGUE_SHEET = "Fatigue and MS"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("infobutton")
    clinic = home / "clinic.yaml"
    clinic.write_text(f"name: {CLINIC}\nphone: 555 0100\n")
    with running_server(home, "--clinic", str(clinic)) as started:
        yield started


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> dict[str, object]:
        return json.loads(self.body)  # type: ignore[no-any-return]


SEEN: list[Reply] = []
"""Every answer the server gave in this module, searched for the canary at the end."""


def get(url: str, method: str = "GET") -> Reply:
    """An EHR's browser following the link: urllib, errors read as answers."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=60) as response:
            reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    except urllib.error.HTTPError as exc:
        reply = Reply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())
    SEEN.append(reply)
    return reply


def raw(server: Server, target: bytes, host: bytes = b"127.0.0.1") -> Reply:
    """A request line sent byte for byte, for what urllib would refuse to send."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest("GET", "/", skip_host=True)
        connection._buffer[0] = b"GET " + target + b" HTTP/1.1"  # type: ignore[attr-defined]
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()
    SEEN.append(reply)
    return reply


def link(server: Server, code: str = "", system: str = "", answer: str = "", **extra: str) -> str:
    params: list[tuple[str, str]] = []
    if system:
        params.append(("mainSearchCriteria.v.cs", system))
    if code:
        params.append(("mainSearchCriteria.v.c", code))
    params.append(("informationRecipient", "PAT"))
    if answer:
        params.append(("knowledgeResponseType", answer))
    params += [(name.replace("__", "."), value) for name, value in extra.items()]
    return f"{server.url}infobutton?{urllib.parse.urlencode(params)}"


def entries(reply: Reply) -> list[dict[str, object]]:
    """What a MedlinePlus Connect JSON client reads: feed.entry."""
    assert reply.status == 200, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    return reply.json()["feed"]["entry"]  # type: ignore[index,return-value]


def title_of(entry: dict[str, object]) -> str:
    return entry["title"]["_value"]  # type: ignore[index,no-any-return]


def href(entry: dict[str, object], rel: str) -> str:
    return next(item["href"] for item in entry["link"] if item["rel"] == rel)  # type: ignore[attr-defined,index,no-any-return]


# --- the case table: codes x systems --------------------------------------------------------------

CASES = [
    (ICD10CM, "G35.A", "rrms"),
    (ICD10CM, "G35.B", "ppms"),
    (ICD10CM, "G35.B0", "ppms"),
    (f"urn:oid:{ICD10CM}", "G35.B1", "ppms"),
    (ICD10CM, "G35.B2", "ppms"),
    (ICD10CM, "G35.C", "spms"),
    ("http://hl7.org/fhir/sid/icd-10-cm", "g35.c0", "spms"),
    (ICD10CM, "G35.C1", "spms"),
    (ICD10CM, "G35.C2", "spms"),
    (ICD10CM, "G35.D", "general"),
    (ICD10CM, "G35", "general"),
    (ICD10CM, " G35A ", "rrms"),
    (SNOMED, "24700007", "general"),
    (f"urn:oid:{SNOMED}", "426373005", "rrms"),
    ("http://snomed.info/sct", "425500002", "spms"),
    (ICD10, "G35", "general"),
    ("http://hl7.org/fhir/sid/icd-10", "G35", "general"),
    (ICD9CM, "340", "general"),
    (f"urn:oid:{ICD9CM}", "340", "general"),
    (ICD10CM, "E11.9", None),
    (ICD10CM, "G37.9", None),
    (ICD10CM, "H46.9", None),
    (
        SNOMED,
        "428700003",
        None,
    ),  # primary progressive MS: not confirmed in a SNOMED CT release, so not mapped
    (SNOMED, "193093009", None),  # Bell's palsy, mislabelled as RRMS in one public table
    (ICD10, "G35.A", None),  # WHO ICD-10 has no G35.A
    (ICD9CM, "341.9", None),
]


@pytest.mark.parametrize(("system", "code", "expected"), CASES)
def test_each_code_opens_its_handout_in_json(
    server: Server, system: str, code: str, expected: str | None
) -> None:
    found = entries(get(link(server, code, system, "application/json")))
    if expected is None:
        assert found == []
    else:
        assert [title_of(entry) for entry in found] == [HANDOUT_TITLES[expected]]


@pytest.mark.parametrize(
    ("system", "code", "expected"), [CASES[0], CASES[3], CASES[14], CASES[17], CASES[19]]
)
def test_each_code_opens_its_handout_in_atom(
    server: Server, system: str, code: str, expected: str | None
) -> None:
    reply = get(link(server, code, system, "text/xml"))
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/xml")
    feed = ET.fromstring(reply.body)
    assert feed.tag == f"{ATOM}feed"
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]
    assert titles == ([HANDOUT_TITLES[expected]] if expected else [])


@pytest.mark.parametrize(("system", "code", "expected"), [CASES[0], CASES[5], CASES[14], CASES[15]])
def test_each_code_opens_a_page_that_says_why(server: Server, system: str, code: str, expected: str) -> None:
    reply = get(link(server, code, system))
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/html")
    text = re.sub(r"<[^>]+>", " ", reply.text)
    assert HANDOUT_TITLES[expected] in reply.text
    assert "Chosen for this record:" in text
    assert code.strip().upper() in text
    assert "Download PDF" in text
    assert "Print" in text
    assert re.search(rf'<option value="{expected}" selected>', reply.text)
    assert 'name="patient_name"' in reply.text
    assert 'name="notes"' in reply.text


def test_the_page_names_the_code_system_code_and_type(server: Server) -> None:
    text = get(link(server, "G35.A", ICD10CM)).text
    assert "ICD-10-CM G35.A (Relapsing-remitting multiple sclerosis) → relapsing-remitting MS" in text


def test_a_code_outside_ms_gets_a_404_page_and_an_empty_feed(server: Server) -> None:
    page = get(link(server, "E11.9", ICD10CM))
    assert page.status == 404
    assert "only makes MS handouts" in page.text
    assert get(link(server, "E11.9", ICD10CM, "application/pdf")).status == 404
    atom = ET.fromstring(get(link(server, "G37.9", ICD10CM, "application/atom+xml")).body)
    assert atom.findall(f"{ATOM}entry") == []
    assert atom.findtext(f"{ATOM}updated")


def test_cis_comes_only_from_type_cis(server: Server) -> None:
    found = entries(get(link(server, answer="application/json", type="cis")))
    assert [title_of(entry) for entry in found] == [HANDOUT_TITLES["cis"]]
    with_code = entries(get(link(server, "G35.A", ICD10CM, "application/json", type="cis")))
    assert [title_of(entry) for entry in with_code] == [HANDOUT_TITLES["cis"]]
    assert all(
        HANDOUT_TITLES["cis"] not in title_of(entry)
        for system, code, _ in CASES
        for entry in entries(get(link(server, code, system, "application/json")))
    )


# --- feed shapes, as MedlinePlus Connect clients read them ----------------------------------------


def test_json_feed_has_medlineplus_connect_shape(server: Server) -> None:
    reply = get(
        link(server, "G35.A", ICD10CM, "application/json", informationRecipient__languageCode__c="en")
    )
    feed = reply.json()["feed"]
    assert isinstance(feed, dict)
    assert feed["lang"] == "en"
    assert feed["title"]["_value"]
    assert "ICD-10-CM G35.A" in feed["subtitle"]["_value"]
    schemes = {item["scheme"]: item["term"] for item in feed["category"]}
    assert schemes["mainSearchCriteria.v.c"] == "G35.A"
    assert schemes["mainSearchCriteria.v.cs"] == ICD10CM
    entry = feed["entry"][0]
    assert entry["title"]["_value"] == HANDOUT_TITLES["rrms"]
    assert entry["link"][0]["rel"] == "alternate"
    assert entry["link"][0]["href"].startswith(server.url)
    enclosure = next(item for item in entry["link"] if item["rel"] == "enclosure")
    assert enclosure["type"] == "application/pdf"
    assert entry["id"]["_value"].startswith("tag:")
    assert entry["summary"]["_value"]
    assert entry["updated"]["_value"] == f"{oldest_review('rrms', 'en')}T00:00:00Z"
    assert feed["updated"]["_value"] == entry["updated"]["_value"]


def test_atom_feed_parses_with_xml_etree(server: Server) -> None:
    feed = ET.fromstring(get(link(server, "426373005", SNOMED, "text/xml")).body)
    assert feed.findtext(f"{ATOM}title")
    assert feed.findtext(f"{ATOM}id")
    assert feed.findtext(f"{ATOM}author/{ATOM}name")
    assert feed.findtext(f"{ATOM}updated") == f"{oldest_review('rrms', 'en')}T00:00:00Z"
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None
    alternate = entry.find(f"{ATOM}link[@rel='alternate']")
    enclosure = entry.find(f"{ATOM}link[@rel='enclosure'][@type='application/pdf']")
    assert alternate is not None
    assert enclosure is not None
    assert entry.findtext(f"{ATOM}updated") == feed.findtext(f"{ATOM}updated")
    categories = {c.get("scheme"): c.get("term") for c in feed.findall(f"{ATOM}category")}
    assert categories["mainSearchCriteria.v.c"] == "426373005"


def oldest_review(handout_type: str, language: str) -> str:
    """The oldest review date among the blocks the handout prints, read from the content itself."""
    spec = parse_spec({"type": handout_type, "language": language}, "test")
    library = Engine.from_dirs((), ()).library(language)
    return min(block.reviewed for block in select_blocks(library, spec).blocks).isoformat()


# --- following the links to PDFs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "code", "answer", "expected"),
    [
        (ICD10CM, "G35.A", "application/json", "rrms"),
        (SNOMED, "425500002", "text/xml", "spms"),
        (ICD10CM, "G35.B1", "application/json", "ppms"),
    ],
)
def test_enclosures_lead_to_the_pdf_of_the_chosen_type(
    server: Server, system: str, code: str, answer: str, expected: str
) -> None:
    reply = get(link(server, code, system, answer))
    if answer == "text/xml":
        node = ET.fromstring(reply.body).find(f"{ATOM}entry/{ATOM}link[@rel='enclosure']")
        assert node is not None
        url = node.get("href", "")
    else:
        url = href(entries(reply)[0], "enclosure")
    pdf = get(url)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline;")
    assert pdf.body.startswith(b"%PDF-")
    assert pypdf.PdfReader(io.BytesIO(pdf.body)).metadata.title == HANDOUT_TITLES[expected]
    assert CLINIC in pdf_text(pdf.body)


def test_alternate_link_opens_the_html_page(server: Server) -> None:
    url = href(entries(get(link(server, "G35.C1", ICD10CM, "application/json")))[0], "alternate")
    page = get(url)
    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    assert HANDOUT_TITLES["spms"] in page.text
    assert 'name="patient_name"' not in page.text  # the handout's own web page, not the page with the form
    assert page.headers["content-disposition"].endswith('.html"')
    assert "style-src 'sha256-" in page.headers["content-security-policy"]
    landing = get(link(server, "G35.C1", ICD10CM))
    web_link = re.search(r'<a href="([^"]+)">Read it as a web page</a>', landing.text)
    assert web_link is not None
    assert get(web_link.group(1).replace("&amp;", "&")).body == page.body
    assert get(link(server, "G35.C1", ICD10CM, view="other")).status == 400


def test_the_page_buttons_lead_to_the_pdf(server: Server) -> None:
    page = get(link(server, "G35.D", ICD10CM, paper="a4", print="large"))
    hrefs = re.findall(r"<a href=\"([^\"]+)\"[^>]*>(?:Download PDF|Print)", page.text)
    assert len(hrefs) == 2
    pdf = get(hrefs[0].replace("&amp;", "&"))
    reader = pypdf.PdfReader(io.BytesIO(pdf.body))
    assert reader.metadata.title == HANDOUT_TITLES["general"]
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_pdf_directly(server: Server) -> None:
    pdf = get(link(server, "24700007", SNOMED, "application/pdf", audience="caregiver"))
    assert pdf.status == 200
    assert pdf.body.startswith(b"%PDF-")
    assert pypdf.PdfReader(io.BytesIO(pdf.body)).metadata.title == HANDOUT_TITLES["general"]


# --- languages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("asked", ["es", "es-MX", "ES-us", "spa"])
def test_spanish_is_asked_for_by_language_code(server: Server, asked: str) -> None:
    reply = get(
        link(server, "G35.A", ICD10CM, "application/json", informationRecipient__languageCode__c=asked)
    )
    assert reply.headers["content-language"] == "es"
    feed = reply.json()["feed"]
    assert feed["lang"] == "es"  # type: ignore[index]
    assert title_of(feed["entry"][0]) == SPANISH_TITLES["rrms"]  # type: ignore[index]


def test_a_spanish_atom_entry_leads_to_a_spanish_pdf(server: Server) -> None:
    reply = get(link(server, "G35.A", ICD10CM, "text/xml", informationRecipient__languageCode__c="es"))
    feed = ET.fromstring(reply.body)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    node = feed.find(f"{ATOM}entry/{ATOM}link[@rel='enclosure']")
    assert node is not None
    pdf = get(node.get("href", ""))
    assert pdf.headers["content-language"] == "es"
    assert SPANISH_TITLES["rrms"] in pdf_text(pdf.body)


@pytest.mark.parametrize("asked", ["en", "en-GB", "eng", ""])
def test_english_is_the_default(server: Server, asked: str) -> None:
    reply = get(link(server, "G35.A", ICD10CM, informationRecipient__languageCode__c=asked))
    assert reply.headers["content-language"] == "en"
    assert "Language:" not in reply.text


@pytest.mark.parametrize("asked", ["fr", "de-DE", "zh-Hant-TW", "x!"])
def test_other_languages_get_english_with_a_notice(server: Server, asked: str) -> None:
    page = get(link(server, "G35.A", ICD10CM, informationRecipient__languageCode__c=asked))
    assert page.status == 200
    assert page.headers["content-language"] == "en"
    assert "this handout is in English" in page.text
    feed = get(
        link(server, "G35.A", ICD10CM, "application/json", informationRecipient__languageCode__c=asked)
    )
    assert feed.headers["content-language"] == "en"
    assert "this handout is in English" in feed.json()["feed"]["subtitle"]["_value"]  # type: ignore[index]
    assert title_of(entries(feed)[0]) == HANDOUT_TITLES["rrms"]


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "status", "named"),
    [
        ({"mainSearchCriteria.v.c": "G35.A"}, 400, "mainSearchCriteria.v.cs"),
        (
            {"mainSearchCriteria.v.c": "G35.A", "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.88"},
            400,
            "mainSearchCriteria.v.cs",
        ),
        (
            {"mainSearchCriteria.v.c": "G35.A", "mainSearchCriteria.v.cs": "ICD10CM-ish"},
            400,
            "mainSearchCriteria.v.cs",
        ),
        ({"mainSearchCriteria.v.cs": ICD10CM}, 400, "mainSearchCriteria.v.c"),
        ({}, 400, "mainSearchCriteria.v.c"),
        (
            {
                "mainSearchCriteria.v.c": "G35.A",
                "mainSearchCriteria.v.cs": ICD10CM,
                "knowledgeResponseType": "application/javascript",
                "callback": "x",
            },
            406,
            "knowledgeResponseType",
        ),
        (
            {
                "mainSearchCriteria.v.c": "G35.A",
                "mainSearchCriteria.v.cs": ICD10CM,
                "knowledgeResponseType": "image/png",
            },
            406,
            "knowledgeResponseType",
        ),
        (
            {"mainSearchCriteria.v.c": "G35.A", "mainSearchCriteria.v.cs": ICD10CM, "stage": "late"},
            400,
            "stage",
        ),
        (
            {
                "mainSearchCriteria.v.c": "G35.A",
                "mainSearchCriteria.v.cs": ICD10CM,
                "layout": "../../etc/passwd",
            },
            400,
            "layout",
        ),
        (
            {"mainSearchCriteria.v.c": "G35.A", "mainSearchCriteria.v.cs": ICD10CM, "type": "nmosd"},
            400,
            "type",
        ),
        (
            {
                "mainSearchCriteria.v.c": "G35.A",
                "mainSearchCriteria.v.cs": ICD10CM,
                "sheets": "no-such-sheet",
            },
            400,
            "sheets",
        ),
        (
            {"mainSearchCriteria.v.c": "G35.A" * 8, "mainSearchCriteria.v.cs": ICD10CM},
            400,
            "mainSearchCriteria.v.c",
        ),
    ],
)
def test_bad_requests_get_a_4xx_naming_the_parameter(
    server: Server, query: dict[str, str], status: int, named: str
) -> None:
    reply = get(f"{server.url}infobutton?{urllib.parse.urlencode(query)}")
    assert reply.status == status
    assert named in reply.text
    assert "Traceback" not in reply.text


def test_a_json_client_gets_its_error_as_json(server: Server) -> None:
    reply = get(link(server, "G35.A", answer="application/json"))
    assert reply.status == 400
    assert reply.json()["error"]["parameter"] == "mainSearchCriteria.v.cs"  # type: ignore[index]


def test_sheets_add_topic_sheets_to_the_pdf(server: Server) -> None:
    reply = get(link(server, "G35.A", ICD10CM, "application/json", sheets="fatigue"))
    assert "sheets" in SPEC_KEYS
    entry = entries(reply)[0]
    assert title_of(entry) == HANDOUT_TITLES["rrms"]
    pdf = get(href(entry, "enclosure"))
    assert pdf.status == 200
    assert FATIGUE_SHEET in pdf_text(pdf.body)
    assert FATIGUE_SHEET not in pdf_text(get(link(server, "G35.A", ICD10CM, "application/pdf")).body)
    assert get(link(server, "G35.A", ICD10CM, sheets="../x")).status == 400


def test_head_answers_like_get_without_a_body(server: Server) -> None:
    reply = get(link(server, "G35.A", ICD10CM, "application/json"), method="HEAD")
    assert reply.status == 200
    assert reply.body == b""
    assert reply.headers["content-type"].startswith("application/json")
    assert get(link(server, "E11.9", ICD10CM), method="HEAD").status == 404


def test_every_answer_carries_the_privacy_headers(server: Server) -> None:
    for url in (
        link(server, "G35.A", ICD10CM),
        link(server, "G35.A", ICD10CM, "application/json"),
        link(server, "G35.A", ICD10CM, "text/xml"),
        link(server, "E11.9", ICD10CM),
        link(server, "G35.A"),
    ):
        reply = get(url)
        assert reply.headers["referrer-policy"] == "no-referrer"
        assert reply.headers["cache-control"] == "no-store"
        assert reply.headers["x-frame-options"] == "DENY"
        assert reply.headers["x-content-type-options"] == "nosniff"


# --- literature samples ---------------------------------------------------------------------------

CLINGEN = (
    "representedOrganization.id.root=1.3.6.1.4.1.3768&patientPerson.administrativeGenderCode.c=F&age.v.v=67"
    "&age.v.u=a&mainSearchCriteria.v.c=749196&mainSearchCriteria.v.cs=2.16.840.1.113883.6.88"
    "&mainSearchCriteria.v.dn=Clopidogrel&performer=PROV&taskContext.c.c=MLREV&informationRecipient=PROV"
    "&knowledgeResponseType=application/json"
)


def test_a_real_world_request_for_another_code_system_names_it(server: Server) -> None:
    reply = get(f"{server.url}infobutton?{CLINGEN}")
    assert reply.status == 400
    assert "mainSearchCriteria.v.cs" in reply.text


def test_a_real_world_request_with_an_ms_code_works(server: Server) -> None:
    query = CLINGEN.replace("749196", "G35.A").replace("2.16.840.1.113883.6.88", ICD10CM)
    assert [title_of(entry) for entry in entries(get(f"{server.url}infobutton?{query}"))] == [
        HANDOUT_TITLES["rrms"]
    ]
    other = query.replace("G35.A", "E11.9")
    assert entries(get(f"{server.url}infobutton?{other}")) == []


# --- hostile queries ------------------------------------------------------------------------------


def test_hostile_queries_get_4xx_never_500(server: Server) -> None:
    base = f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=G35.A"
    assert 400 <= raw(server, b"/infobutton?" + b"&".join([b"a=1"] * 1000)).status < 500
    assert 400 <= raw(server, b"/infobutton?" + b"&".join([base.encode()] * 2)).status < 500
    assert 400 <= raw(server, b"/infobutton?" + base.encode() + b"&x=" + b"A" * 5000).status < 500
    assert 400 <= raw(server, b"/infobutton?" + base.encode() + b"&x=" + b"A" * 60_000).status < 500
    assert 400 <= raw(server, b"/infobutton?" + base.encode() + b"&stage=" + b"b" * 300).status < 500
    assert (
        400
        <= raw(
            server, b"/infobutton?mainSearchCriteria.v.c=%FF%FE&mainSearchCriteria.v.cs=" + ICD10CM.encode()
        ).status
        < 500
    )
    assert (
        400
        <= raw(
            server, b"/infobutton?mainSearchCriteria.v.c=\xff\xfe&mainSearchCriteria.v.cs=" + ICD10CM.encode()
        ).status
        < 500
    )
    assert 400 <= raw(server, b"/infobutton?" + base.encode(), host=b"evil\x01host").status < 500
    assert (
        raw(
            server, b"/infobutton?mainSearchCriteria.v.c=%zz&mainSearchCriteria.v.cs=" + ICD10CM.encode()
        ).status
        == 404
    )
    assert raw(server, b"/infobutton?" + base.encode() + b"&patientPerson.name.given=Mu%F1oz").status == 200
    assert raw(server, b"/infobutton?" + base.encode() + b"&%%%=%%&&&==").status == 200
    for reply in SEEN[-11:]:
        assert b"Traceback" not in reply.body


# --- privacy: a canary in every identifying parameter ---------------------------------------------

IDENTIFYING = [
    "patientPerson.name.given",
    "patientPerson.name.family",
    "patientPerson.name",
    "patientPerson.birthTime.value.v",
    "patientPerson.birthTime",
    "recordTarget.patientRole.id.extension",
    "recordTarget.patient.name",
    "holder.assignedEntity.n",
    "holder.assignedEntity.certificateText",
    "mainSearchCriteria.v.dn",
    "mainSearchCriteria.v.ot",
    "subTopic.v.dn",
]


def planted(query: str) -> str:
    canaries = [(name, f"{CANARY}{i}") for i, name in enumerate(IDENTIFYING)]
    return query + "&" + urllib.parse.urlencode(canaries)


CANARY_QUERIES = [
    f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=G35.A",
    f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=G35.A&knowledgeResponseType=application/json",
    f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=G35.A&knowledgeResponseType=text/xml",
    f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=G35.A&knowledgeResponseType=application/pdf",
    f"mainSearchCriteria.v.cs={SNOMED}&mainSearchCriteria.v.c=426373005&informationRecipient.languageCode.c=es",
    f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=E11.9",
    f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=E11.9&knowledgeResponseType=application/json",
    "mainSearchCriteria.v.c=G35.A",
    "mainSearchCriteria.v.c=G35.A&knowledgeResponseType=application/json",
    f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=G35.A&knowledgeResponseType=application/javascript",
    f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=G35.A&stage=never",
    f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=G35.A&informationRecipient.languageCode.c=fr",
    "type=cis&knowledgeResponseType=text/xml",
    f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=G35.A&view=handout",
]


@pytest.mark.parametrize("query", CANARY_QUERIES)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_identifying_parameters_never_come_back(server: Server, query: str, method: str) -> None:
    reply = get(f"{server.url}infobutton?{planted(query)}", method=method)
    assert reply.status < 500
    shown = reply.body.decode("latin-1") + json.dumps(reply.headers)
    if reply.body.startswith(b"%PDF-"):
        shown += pdf_text(reply.body)
        shown += str(pypdf.PdfReader(io.BytesIO(reply.body)).metadata)
    assert CANARY.lower() not in shown.lower()


def test_an_identifying_parameter_with_a_repeated_or_oversized_value_is_still_dropped(server: Server) -> None:
    query = f"mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=G35.A&knowledgeResponseType=application/json"
    repeated = query + "".join(f"&patientPerson.name.given={CANARY}" for _ in range(10))
    long_value = query + f"&holder.assignedEntity.certificateText={CANARY}{'x' * 1000}"
    for url in (repeated, long_value):
        reply = get(f"{server.url}infobutton?{url}")
        assert reply.status == 200
        assert CANARY not in reply.text


def test_zz_the_server_logged_no_canary_and_no_query_string(server: Server) -> None:
    """Runs last in this module (its place in the file): everything the server printed while answering all the above."""
    assert SEEN
    for reply in SEEN:
        assert CANARY.lower() not in (reply.body.decode("latin-1") + json.dumps(reply.headers)).lower()
    output = "".join(server.output)
    assert CANARY.lower() not in output.lower()
    assert "?" not in output
    assert "infobutton" not in output
    assert "Traceback" not in output
    assert not any(server.tmpdir.iterdir())
    assert not any(server.workdir.iterdir())


# --- framing by named EHR origins ------------------------------------------------------------------


def test_framing_is_off_by_default_and_allowed_for_named_origins(tmp_path: Path, server: Server) -> None:
    default = get(link(server, "G35.A", ICD10CM))
    assert "frame-ancestors 'none'" in default.headers["content-security-policy"]
    with running_server(
        tmp_path,
        "--frame-ancestors",
        "https://ehr.example.org",
        "--frame-ancestors",
        "https://portal.example.org:8443",
    ) as framed:
        page = get(link(framed, "G35.A", ICD10CM))
        policy = page.headers["content-security-policy"]
        assert "frame-ancestors https://ehr.example.org https://portal.example.org:8443" in policy
        assert "'none'" not in policy.split("frame-ancestors")[1].split(";")[0]
        assert "x-frame-options" not in page.headers
        pdf = get(link(framed, "G35.A", ICD10CM, "application/pdf"))
        assert "frame-ancestors https://ehr.example.org" in pdf.headers["content-security-policy"]


def test_a_bad_frame_origin_stops_the_server_with_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "handouts", "serve", "--port", "0", "--frame-ancestors", "ehr.example.org/*"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "--frame-ancestors" in done.stderr
    assert "https://host" in done.stderr
    assert "Traceback" not in done.stderr


# --- the code tables ------------------------------------------------------------------------------


def test_every_code_row_names_its_source() -> None:
    systems = {system.name: system for system in code_systems()}
    assert set(systems) == {"ICD-10-CM", "SNOMED CT", "ICD-10 (WHO)", "ICD-9-CM"}
    for system in systems.values():
        for row in system.codes.values():
            assert row.source.strip()
            assert row.title.strip()
    assert systems["SNOMED CT"].find("428700003") is None


def test_our_parameters_tailor_the_handout_and_preset_the_form(server: Server) -> None:
    page = get(
        link(
            server, "G35.A", ICD10CM, stage="established", audience="caregiver", paper="a4", layout="summary"
        )
    )
    assert page.status == 200
    for name, value in (("stage", "established"), ("audience", "caregiver"), ("paper", "a4")):
        assert re.search(rf'name="{name}" value="{value}" checked', page.text), name
    assert re.search(r'<option value="summary" selected>', page.text)
    pdf = get(link(server, "G35.A", ICD10CM, "application/pdf", layout="summary", paper="a4"))
    reader = pypdf.PdfReader(io.BytesIO(pdf.body))
    assert len(reader.pages) == 1
    assert (
        pdf.headers["content-disposition"]
        == 'inline; filename="ms-handout-rrms-newly-diagnosed-patient-summary-en-a4.pdf"'
    )


@pytest.mark.browser
def test_in_chromium_the_page_downloads_the_pdf_and_its_form_adds_a_name(
    browser: Any, server: Server
) -> None:
    """JavaScript off, as on the form: the link's Download PDF, then the pre-set form with a name."""
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(link(server, "G35.C1", ICD10CM, informationRecipient__languageCode__c="es"))
        with page.expect_download() as info:
            page.get_by_role("link", name="Download PDF").click()
        assert info.value.suggested_filename == "ms-handout-spms-newly-diagnosed-patient-es-letter.pdf"
        first = Path(info.value.path()).read_bytes()
        assert (
            pypdf.PdfReader(io.BytesIO(first)).metadata.title
            == pypdf.PdfReader(
                io.BytesIO(
                    get(
                        link(
                            server,
                            "G35.C1",
                            ICD10CM,
                            "application/pdf",
                            informationRecipient__languageCode__c="es",
                        )
                    ).body
                )
            ).metadata.title
        )
        page.get_by_label("Patient's name").fill("Ana Ruiz")
        with page.expect_download() as info:
            page.get_by_role("button", name="Download PDF").click()
        named = pdf_text(Path(info.value.path()).read_bytes())
        assert "Ana Ruiz" in named
        assert info.value.suggested_filename == "ms-handout-spms-newly-diagnosed-patient-es-letter.pdf"
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("handout_type", list(HANDOUT_TITLES))
def test_every_type_and_language_entry_names_the_pdf_it_encloses(
    server: Server, handout_type: str, language: str
) -> None:
    reply = get(
        link(
            server,
            answer="application/json",
            type=handout_type,
            informationRecipient__languageCode__c=language,
        )
    )
    entry = entries(reply)[0]
    pdf = get(href(entry, "enclosure"))
    assert pdf.headers["content-language"] == language
    title = pypdf.PdfReader(io.BytesIO(pdf.body)).metadata.title
    assert title == title_of(entry)
    if language == "en":
        assert title == HANDOUT_TITLES[handout_type]
    else:
        assert title != HANDOUT_TITLES[handout_type]


@pytest.mark.browser
def test_in_chromium_all_text_of_the_page_has_7_to_1_contrast(browser: Any, server: Server) -> None:
    context = browser.new_context(
        java_script_enabled=True
    )  # to read computed colours; the page has no script
    try:
        page = context.new_page()
        page.goto(link(server, "G35.A", ICD10CM, informationRecipient__languageCode__c="fr"))
        page.keyboard.press("Tab")
        for fore, back, text in page.evaluate(TEXT_COLOURS):
            assert contrast_ratio(_hex(fore), _hex(back)) >= 7, (text, fore, back)
    finally:
        context.close()


def test_country_sets_the_help_numbers_and_presets_the_form(server: Server) -> None:
    page = get(link(server, "G35.A", ICD10CM, country="gb"))
    assert page.status == 200
    assert re.search(r'<option value="GB" selected>', page.text)
    bad = get(link(server, "G35.A", ICD10CM, country="Atlantis"))
    assert bad.status == 400
    assert "country" in bad.text
    assert "Atlantis" not in bad.text
    gb = pdf_text(get(link(server, "G35.A", ICD10CM, "application/pdf", country="GB")).body)
    us = pdf_text(get(link(server, "G35.A", ICD10CM, "application/pdf")).body)
    assert gb != us
