"""Load on `handouts serve`: 500 requests, 16 at a time, valid and hostile forms mixed; no 5xx, no answer lost,
every message shown, every PDF correct, memory flat."""

from __future__ import annotations

import html
import http.client
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import pytest

from handouts.limits import MAX_FORM_BYTES

from ..conftest import pdf_text
from .test_web import Server, running_server

REQUESTS = 500
CONCURRENCY = 16
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Case:
    """One kind of request and what its answer must be."""

    name: str
    body: bytes
    status: int
    expect: str = ""
    """For a 200: text the PDF must hold; otherwise: text the page must show."""
    method: str = "POST"
    path: str = "/handout"
    content_type: str = FORM


def form(**fields: str | list[str]) -> bytes:
    return urllib.parse.urlencode(fields, doseq=True).encode()


def valid(name: str, patient: str, notes: str, **more: str) -> Case:
    body = form(patient_name=patient, notes=notes, layout=more.pop("layout", "summary"), **more)
    return Case(name, body, 200, expect=f"{patient}\n{notes}")


def invalid(name: str, body: bytes, message: str, status: int = 400) -> Case:
    return Case(name, body, status, expect=message)


EVERY_FIELD = (
    "type",
    "stage",
    "audience",
    "language",
    "paper",
    "print",
    "layout",
    "sections",
    "action",
    "allow_fallback",
)
CASES = [
    valid("markup", '<img src="/etc/passwd"/> Ana', "<b>bold?</b> &#0; &amp; </para><para>"),
    valid("jinja", "{{ 7*7 }} Ben", "{% include '/etc/passwd' %} {{ ''.__class__.__mro__ }}"),
    valid("entities", "&lt;Cleo&gt; &#x41;", "&nbsp; &copy; <a href='file:///etc/shadow'>x</a>", type="rrms"),
    valid("large", "Dev Okafor", "Bring your diary", print="large", paper="a4"),
    valid("spanish", "Elena Ruiz", "Traiga su diario", language="es", type="ppms"),
    valid("standard", "Farid {{x}}", "A note | with a bar", layout="standard", type="spms"),
    valid("ten-notes", "Gina", "\n".join(f"note {i} <x>" for i in range(10)), layout="standard"),
    valid("caregiver", "Hal", "{% raw %}{{ }}{% endraw %}", audience="caregiver", stage="established"),
    valid("path-like", "../../etc/passwd", "C:\\Windows\\System32 /dev/zero", type="cis"),
    invalid("type", form(type="{{7*7}}"), "'{{7*7}}' is not allowed (choose one of: cis, rrms, spms, ppms)"),
    invalid("paper", form(paper="b5", patient_name="Ida"), "'b5' is not allowed (choose one of: letter, a4)"),
    invalid("layout-path", form(layout="../../etc/passwd"), "'../../etc/passwd' is not a valid name"),
    invalid("layout-unknown", form(layout="fancy"), "'fancy' is not available (choose one of:"),
    invalid("section-path", form(sections="/etc/passwd"), "'/etc/passwd' is not a section id"),
    invalid("language", form(language="../en"), "'../en' is not allowed (choose one of: en, es)"),
    invalid("long-name", form(patient_name="x" * 5000), "is 5,000 characters long (keep it under 200)"),
    invalid("long-note", form(notes="y" * 50_000), "a note is 50,000 characters long"),
    invalid("many-notes", form(notes="\n".join(["n"] * 11)), "has 11 notes (give at most 10)"),
    invalid("nul", form(patient_name="Jo\x00"), "contains the unprintable character U+0000"),
    invalid("bell", form(notes="ok\nbell\x07"), "contains the unprintable character U+0007"),
    invalid(
        "glyph", form(patient_name="Kai ☃ Lee"), "1 character cannot be printed in any of the handout's fonts"
    ),
    invalid(
        "bad-utf8",
        b"type=%FF%FE&patient_name=%C3%28",
        "holds bytes that are not text (UTF-8), so it was not used (type it again)",
    ),
    # Bodies Flask cannot read as a form would lose every field: refused, never a handout without them.
    invalid("raw-bytes", b"type=rrms&patient_name=\xff\xfe&notes=\xc3\x28", "The request could not be read"),
    Case("json", b'{"type": "rrms"}', 400, "The request could not be read", content_type="application/json"),
    Case(
        "broken-multipart",
        b"--x\r\nbroken",
        400,
        "The request could not be read",
        content_type="multipart/form-data; boundary=x",
    ),
    invalid(
        "no-section", form(**{"sections-shown": "1"}), "no section is ticked (tick at least one section)"
    ),
    invalid("oversized", form(notes="z" * (MAX_FORM_BYTES + 10)), "The form was too large", status=413),
    invalid(
        "huge-every-field",
        form(**dict.fromkeys(EVERY_FIELD, "A" * 20_000)),
        "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...' is not allowed",
    ),
    invalid(
        "markup-every-field",
        form(**dict.fromkeys(EVERY_FIELD, "<b>{{ 7*7 }}</b>")),
        "'<b>{{ 7*7 }}</b>' is not allowed (choose one of: newly-diagnosed, established)",
    ),
    Case("wrong-method", b"", 405, "only accepts the handout form", method="GET"),
    Case("no-page", b"", 404, "There is no page here", method="GET", path="/../etc/passwd"),
]


# --- the server ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("load")) as server:
        yield server
    assert list(server.workdir.iterdir()) == []  # nothing written: no temporary files, no logs
    assert list(server.tmpdir.iterdir()) == []


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@dataclass(frozen=True)
class Answer:
    case: Case
    status: int
    content_type: str
    body: bytes


def send(port: int, case: Case) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Content-Type": case.content_type} if case.method == "POST" else {}
        connection.request(case.method, case.path, body=case.body or None, headers=headers)
        response = connection.getresponse()
        return Answer(case, response.status, response.getheader("Content-Type") or "", response.read())
    finally:
        connection.close()


def send_all(port: int, cases: list[Case]) -> list[Answer]:
    answers = []
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        futures = [pool.submit(send, port, case) for case in cases]
        for future in as_completed(futures, timeout=240):
            answers.append(future.result())
    return answers


def check_answer(answer: Answer) -> None:
    case = answer.case
    assert answer.status < 500, (case.name, answer.body[:300])
    assert answer.status == case.status, (case.name, answer.status, answer.body[:300])
    if case.status == 200:
        assert answer.content_type == "application/pdf", case.name
        assert answer.body.startswith(b"%PDF-"), case.name
        assert answer.body.rstrip().endswith(b"%%EOF"), case.name
    else:
        page = html.unescape(answer.body.decode("utf-8", "replace"))
        assert answer.content_type.startswith("text/html"), case.name
        assert case.expect in page, (case.name, case.expect)
        for sign in ("Traceback", 'File "', "Internal Server Error"):
            assert sign not in page


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_500_mixed_requests_16_at_a_time(served: Server) -> None:
    cases = [CASES[i % len(CASES)] for i in range(REQUESTS)]
    started = time.monotonic()
    answers = send_all(served.port, cases[:100])
    warm = rss_kb(served.process.pid)
    answers += send_all(served.port, cases[100:])
    seconds = time.monotonic() - started
    end = rss_kb(served.process.pid)
    print(  # noqa: T201 - shown with -s: the figures docs/security.md quotes
        f"\nload: {REQUESTS} requests, {CONCURRENCY} at a time, in {seconds:.1f} s ({REQUESTS / seconds:.0f}/s); "
        f"server RSS {warm / 1024:.1f} MB after 100, {end / 1024:.1f} MB at the end"
    )
    assert len(answers) == REQUESTS  # no answer lost
    assert sorted(a.case.name for a in answers) == sorted(c.name for c in cases)
    for answer in answers:
        check_answer(answer)
    assert end <= warm * 1.25 + 8 * 1024, f"memory grew from {warm} kB to {end} kB"
    assert served.process.poll() is None
    log = "".join(served.output)
    for case in CASES:  # nothing typed is logged
        if case.status == 200:
            assert case.expect.split("\n")[0] not in log
    assert "internal error" not in log
    assert "Traceback" not in log


@pytest.mark.parametrize("case", [c for c in CASES if c.status == 200], ids=lambda c: c.name)
def test_every_valid_form_prints_its_text_literally_and_in_order(
    served: Server, case: Case, tmp_path: Path
) -> None:
    answer = send(served.port, case)
    check_answer(answer)
    if shutil.which("qpdf"):
        (tmp_path / "h.pdf").write_bytes(answer.body)
        checked = subprocess.run(["qpdf", "--check", str(tmp_path / "h.pdf")], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout
    text = squeeze(pdf_text(answer.body))
    name, notes = case.expect.split("\n", 1)
    at = text.find(squeeze(name))
    assert at >= 0, (case.name, name)
    for note in notes.splitlines():
        found = text.find(squeeze(note), at + 1)
        assert found > at, (case.name, note)
        at = found
    assert "root:" not in text
    assert "49Ben" not in text
