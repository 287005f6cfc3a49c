"""The web form as a clinician uses it: a real `handouts serve` on loopback, HTTP requests and a real chromium."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import io
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pypdf
import pytest

from handouts.engine import Engine
from handouts.errors import SpecError
from handouts.limits import MAX_FIELD_CHARS, MAX_FORM_BYTES, MAX_NOTE_CHARS, MAX_NOTES
from handouts.pdf.themes import contrast_ratio
from handouts.spec import parse_spec
from handouts.web.app import CSP
from handouts.web.form import FormValues, parse_form
from handouts.web.options import make_offer, offered_languages

from ..conftest import pdf_text

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CSS = Path(__file__).resolve().parents[2] / "handouts" / "web" / "static" / "handouts.css"
CLINIC = "Riverside MS Centre"
NAME = "Samira Quetzal-Okonkwo"
NOTE = "Bring your symptom diary to the March visit"
A4 = (595, 842)
LETTER = (612, 792)


# --- the server and the browser ---------------------------------------------------------------


@dataclass
class Server:
    """A `handouts serve` subprocess, started the way the README says, on a free loopback port."""

    url: str
    port: int
    process: subprocess.Popen[str]
    workdir: Path
    tmpdir: Path
    output: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("serve")
    clinic = home / "clinic.yaml"
    clinic.write_text(f"name: {CLINIC}\nphone: 555 0100\n")
    with running_server(home, "--clinic", str(clinic)) as started:
        yield started


@contextlib.contextmanager
def running_server(home: Path, *args: str) -> Iterator[Server]:
    """`handouts serve --port 0 ARGS` in an empty working folder with its own empty TMPDIR."""
    workdir, tmpdir = home / "cwd", home / "tmp"
    workdir.mkdir()
    tmpdir.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "handouts", "serve", "--port", "0", *args],
        cwd=workdir,
        env={**os.environ, "TMPDIR": str(tmpdir), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    ready: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            found = re.search(r"Serving handouts at (http://\S+/)", line)
            if found:
                ready.put(found.group(1))
        ready.put("")

    threading.Thread(target=read, daemon=True).start()
    try:
        url = ready.get(timeout=60)
        assert url, "".join(output)
        yield Server(url, int(url.rsplit(":", 1)[1].strip("/")), process, workdir, tmpdir, output)
    finally:
        process.terminate()
        process.wait(timeout=10)


def launch_chromium(playwright: Any) -> Any:
    """Debian's chromium, headless, as the CI installs it."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh page with JavaScript off: the form must work without it."""
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(server.url)
    yield page
    context.close()


# --- HTTP helpers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(
    server: Server, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def post(server: Server, fields: dict[str, str] | list[tuple[str, str]]) -> Reply:
    body = urllib.parse.urlencode(fields).encode()
    return request(server, "POST", "/handout", body, {"Content-Type": "application/x-www-form-urlencoded"})


def field_error(html: str, name: str) -> str | None:
    """The message shown next to a field, as plain text."""
    found = re.search(
        rf'<p class="error" id="f-{name}-error"><strong>Problem:</strong> (.*?)</p>', html, re.S
    )
    return found and _unescape(found.group(1))


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def page_size(pdf: bytes) -> tuple[int, int]:
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def assert_no_traceback(text: str) -> None:
    for sign in ("Traceback", 'File "', "Internal Server Error", "werkzeug", "Exception"):
        assert sign not in text


# --- form values to spec, without HTTP ------------------------------------------------------


def test_spec_error_keeps_each_problem_with_its_key() -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec({"type": "xyz", "paper": "b5", "patient_name": "a\x01b"}, "form")
    assert [problem.field for problem in caught.value.problems] == ["type", "paper", "patient_name"]
    assert caught.value.message.startswith("3 problems in form:\n  form: type: 'xyz' is not allowed")
    assert "form: patient_name: contains the unprintable character U+0001" in caught.value.message


def test_form_problems_are_the_spec_problems_plus_what_this_server_lacks(engine: Engine) -> None:
    offer = make_offer(engine)
    values = FormValues(type="xyz", layout="no-such-layout", sections=(), notes="x\n" * 11)
    with pytest.raises(SpecError) as caught:
        parse_form(values, offer, None)
    fields = {problem.field: problem.detail for problem in caught.value.problems}
    with pytest.raises(SpecError) as cli_caught:
        parse_spec({"type": "xyz"}, "command line")
    assert fields["type"] == cli_caught.value.problems[0].detail
    assert fields["notes"] == f"has 11 notes (give at most {MAX_NOTES})"
    assert fields["layout"].startswith("'no-such-layout' is not available")
    assert fields["sections"] == "no section is ticked (tick at least one section)"


# --- HTTP: pages, PDFs, headers, limits ---------------------------------------------------------


def test_form_page_has_strict_headers_and_every_option(server: Server, engine: Engine) -> None:
    reply = request(server, "GET", "/")
    assert reply.status == 200
    csp = reply.headers["content-security-policy"]
    for directive in (
        "default-src 'none'",
        "style-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "script-src" not in csp  # default-src 'none' forbids every script
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in reply.text
    assert CLINIC in reply.text
    form = FormFields.parse(reply.text)
    assert form.method_action == ("post", "/handout")
    for name in ("type", "stage", "audience", "language", "paper", "print", "layout", "sections", "notes"):
        assert name in form.names, name
    assert "patient_name" in form.names
    assert form.options["type"] == ["general", "cis", "rrms", "spms", "ppms"]
    assert form.options["language"] == list(offered_languages(engine))
    assert form.buttons == [("download", None), ("print", "_blank"), ("html", "_blank")]
    assert form.unlabelled() == []


def test_valid_form_returns_the_pdf_as_a_download(server: Server) -> None:
    reply = post(
        server,
        {
            "type": "ppms",
            "audience": "caregiver",
            "paper": "a4",
            "patient_name": NAME,
            "notes": f"{NOTE}\n\n  Ask about physiotherapy  \n",
            "action": "download",
        },
    )
    assert reply.status == 200, reply.text
    assert reply.headers["content-type"] == "application/pdf"
    assert (
        reply.headers["content-disposition"]
        == 'attachment; filename="ms-handout-ppms-newly-diagnosed-caregiver-en-a4.pdf"'
    )
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["x-content-type-options"] == "nosniff"
    text = pdf_text(reply.body)
    for expected in ("Primary progressive MS (PPMS)", NAME, NOTE, "Ask about physiotherapy", CLINIC):
        assert expected in text
    assert "family and friends" in text
    assert page_size(reply.body) == A4


def test_print_opens_the_pdf_inline(server: Server) -> None:
    reply = post(server, {"type": "rrms", "print": "large", "action": "print"})
    assert reply.status == 200
    assert (
        reply.headers["content-disposition"]
        == 'inline; filename="ms-handout-rrms-newly-diagnosed-patient-en-letter-large-print.pdf"'
    )
    assert reply.body.startswith(b"%PDF-")
    assert page_size(reply.body) == LETTER


def test_view_as_web_page_has_its_own_policy_and_prints_text_literally(server: Server) -> None:
    hostile = '<script>alert(1)</script> & "x"'
    reply = post(server, {"type": "rrms", "patient_name": hostile, "notes": hostile, "action": "html"})
    assert reply.status == 200, reply.text
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert (
        reply.headers["content-disposition"]
        == 'inline; filename="ms-handout-rrms-newly-diagnosed-patient-en-letter.html"'
    )
    assert reply.headers["cache-control"] == "no-store"
    style = re.search(r"<style>(.*?)</style>", reply.text, re.S)
    assert style
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert reply.headers["content-security-policy"] == (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; font-src data:; "
        "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    )
    assert "<script" not in reply.text
    assert reply.text.count('&lt;script&gt;alert(1)&lt;/script&gt; &amp; "x"') == 2
    assert CLINIC in reply.text
    assert request(server, "GET", "/").headers["content-security-policy"] == CSP  # the form keeps its own


def test_sections_choose_what_is_printed(server: Server) -> None:
    reply = post(server, [("sections-shown", "1"), ("sections", "about-ms"), ("sections", "questions")])
    assert reply.status == 200, reply.text
    outline = [item.title for item in pypdf.PdfReader(io.BytesIO(reply.body)).outline]  # type: ignore[union-attr]
    assert outline[0] == "What MS does"
    assert "Medicines for MS" not in outline


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"type": "xyz"}, "type", "'xyz' is not allowed (choose one of: cis, rrms, spms, ppms)"),
        ({"stage": "later"}, "stage", "'later' is not allowed (choose one of: newly-diagnosed, established)"),
        ({"paper": "b5"}, "paper", "'b5' is not allowed (choose one of: letter, a4)"),
        ({"print": "huge"}, "print", "'huge' is not allowed (choose one of: standard, large)"),
        ({"language": "fr"}, "language", "'fr' is not allowed (choose one of: en, es)"),
        ({"layout": "../../etc/passwd"}, "layout", "'../../etc/passwd' is not a valid name"),
        ({"layout": "fancy"}, "layout", "'fancy' is not available (choose one of: "),
        ({"sections": "nope"}, "sections", "'nope' is not a section here (tick sections from the list)"),
        ({"sections": "../x"}, "sections", "'../x' is not a section id"),
        ({"sections-shown": "1"}, "sections", "no section is ticked (tick at least one section)"),
        ({"patient_name": "x" * (MAX_FIELD_CHARS + 1)}, "patient_name", "is 201 characters long"),
        ({"patient_name": "Sam\x00"}, "patient_name", "contains the unprintable character U+0000"),
        (
            {"patient_name": "Sam ☃ Ana"},
            "patient_name",
            "1 character cannot be printed in any of the handout's fonts",
        ),
        ({"notes": "\n".join(["note"] * (MAX_NOTES + 1))}, "notes", "has 11 notes (give at most 10)"),
        ({"notes": "y" * (MAX_NOTE_CHARS + 1)}, "notes", "a note is 2,001 characters long"),
        ({"notes": "fine\nbell\x07"}, "notes", "contains the unprintable character U+0007"),
    ],
)
def test_invalid_value_gets_a_message_next_to_its_field(
    server: Server, fields: dict[str, str], field: str, message: str
) -> None:
    reply = post(server, fields)
    assert reply.status == 400
    assert reply.headers["content-type"].startswith("text/html")
    assert reply.headers["cache-control"] == "no-store"
    assert "content-security-policy" in reply.headers
    shown = field_error(reply.text, field)
    assert shown is not None, reply.text
    assert shown.startswith(message)
    assert f'href="#f-{field}"' in reply.text  # the summary at the top links to the field
    assert_no_traceback(reply.text)


def test_every_problem_is_shown_at_once_and_the_values_are_kept(server: Server) -> None:
    reply = post(server, {"type": "xyz", "paper": "b5", "patient_name": "Ana <b>&", "notes": "x" * 2001})
    assert reply.status == 400
    assert "There are 3 problems" in reply.text
    for name in ("type", "paper", "notes"):
        assert field_error(reply.text, name)
    assert 'value="Ana &lt;b&gt;&amp;"' in reply.text  # kept, and escaped
    assert 'aria-invalid="true"' in reply.text


def test_the_clinic_and_directories_cannot_be_chosen_by_a_request(server: Server) -> None:
    reply = post(
        server,
        {
            "clinic": "/etc/passwd",
            "content_dir": "/etc",
            "templates_dir": "/",
            "url": "https://evil.example",
            "date": "1999-01-01",
        },
    )
    assert reply.status == 200
    text = pdf_text(reply.body)
    assert CLINIC in text
    assert "evil.example" not in text
    assert "root:" not in text


@pytest.mark.parametrize(
    "path",
    [
        "/static/handouts.css",
        "/../etc/passwd",
        "/handouts.css/../../etc/passwd",
        "/templates/form.html",
        "/%2e%2e/x",
    ],
)
def test_no_request_can_name_a_file(server: Server, path: str) -> None:
    reply = request(server, "GET", path)
    assert reply.status == 404
    assert "There is no page here" in reply.text
    assert "content-security-policy" in reply.headers


def test_stylesheet_is_served(server: Server) -> None:
    reply = request(server, "GET", "/handouts.css")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/css")
    assert reply.body == CSS.read_bytes()


def test_wrong_method_gets_a_page_not_a_crash(server: Server) -> None:
    reply = request(server, "GET", "/handout?type=rrms&patient_name=Sam")
    assert reply.status == 405
    assert "only accepts the handout form" in reply.text
    assert_no_traceback(reply.text)


def test_oversized_form_is_refused_with_a_page(server: Server) -> None:
    body = urllib.parse.urlencode({"notes": "z" * (MAX_FORM_BYTES + 10)}).encode()
    reply = request(server, "POST", "/handout", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 413
    assert "The form was too large" in reply.text
    assert reply.headers["cache-control"] == "no-store"


def test_huge_body_is_refused_before_it_is_read(server: Server) -> None:
    """Far over the limit, the server answers 413 without reading (or storing) the body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            b"POST /handout HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 50000000\r\n\r\n"
        )
        sock.sendall(b"notes=" + b"a" * 10_000)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")


def test_oversized_chunked_body_is_refused(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            b"POST /handout HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
        )
        chunk = b"a" * 65_536
        try:
            for _ in range(20):
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"type=%FF%FE&patient_name=%C3%28&notes=%E2%82", "application/x-www-form-urlencoded"),
        (b"\x00\x01\x02" * 100, "application/x-www-form-urlencoded"),
        (b"type=rrms&type=ppms&action=delete", "application/x-www-form-urlencoded"),
        (b'{"type": "rrms"}', "application/json"),
        (
            b'--x\r\nContent-Disposition: form-data; name="notes"; filename="/etc/passwd"\r\n\r\nhi\r\n--x--\r\n',
            "multipart/form-data; boundary=x",
        ),
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        (b"&&&===&&", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_requests_never_get_a_500(server: Server, body: bytes, content_type: str) -> None:
    reply = request(server, "POST", "/handout", body, {"Content-Type": content_type})
    assert reply.status < 500, reply.text
    assert_no_traceback(reply.text if not reply.body.startswith(b"%PDF") else "")


def test_concurrent_requests_all_get_their_own_pdf(server: Server) -> None:
    names = [f"Patient {letter}" for letter in "ABCDEF"]
    replies: dict[str, Reply] = {}

    def fetch(name: str) -> None:
        replies[name] = post(server, {"patient_name": name, "type": "rrms"})

    threads = [threading.Thread(target=fetch, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for name in names:
        assert replies[name].status == 200
        assert name in pdf_text(replies[name].body)


def test_css_colours_have_at_least_7_to_1_contrast() -> None:
    css = CSS.read_text()
    root = re.search(r":root\s*\{(.*?)\}", css, re.S)
    assert root is not None
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", root.group(1)))
    outside = css.replace(root.group(0), "")
    assert re.findall(r"#[0-9a-fA-F]{3,8}\b|rgb|hsl", outside) == []  # every colour comes from :root
    pairs = [
        ("ink", "paper"),
        ("muted", "paper"),
        ("link", "paper"),
        ("error", "paper"),
        ("on-accent", "accent"),
        ("accent", "paper"),
        ("focus-ink", "focus"),
        ("line", "paper"),
    ]
    for fore, back in pairs:
        assert contrast_ratio(colours[fore], colours[back]) >= 7, (fore, back)
    used = set(re.findall(r"var\(--([a-z-]+)\)", css))
    assert used <= set(colours)


# --- in a real browser ------------------------------------------------------------------------


@pytest.mark.browser
def test_fill_the_form_and_download_the_pdf(page: Any) -> None:
    page.get_by_label("Type of MS", exact=True).select_option("rrms")
    page.get_by_label("Family or a caregiver").check()
    page.get_by_label("A4", exact=True).check()
    page.get_by_label("Large print (18 point, easier to read)").check()
    page.get_by_label("What research is looking at").uncheck()
    page.get_by_label("Patient's name").fill(NAME)
    page.get_by_label("Notes from the care team").fill(f"{NOTE}\nCall us if the tingling lasts a day")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == "ms-handout-rrms-newly-diagnosed-caregiver-en-a4-large-print.pdf"
    pdf = Path(download.path()).read_bytes()
    text = pdf_text(pdf)
    for expected in (
        "Relapsing-remitting MS (RRMS)",
        NAME,
        NOTE,
        "Call us if the tingling lasts a day",
        CLINIC,
    ):
        assert expected in text
    assert "family and friends" in text
    assert page_size(pdf) == A4
    outline = [item.title for item in pypdf.PdfReader(io.BytesIO(pdf)).outline]  # type: ignore[union-attr]
    assert "What research is looking at" not in outline
    assert page.url.rstrip("/") + "/" == page.url  # still on the form


@pytest.mark.browser
def test_invalid_value_shows_its_message_next_to_the_field(page: Any) -> None:
    notes = "\n".join(f"Note {n}" for n in range(1, 13))
    page.get_by_label("Notes from the care team").fill(notes)
    for box in page.get_by_role("checkbox").all():
        if box.get_attribute("name") == "sections":
            box.uncheck()
    with page.expect_response(lambda r: r.url.endswith("/handout")) as answer:
        page.get_by_role("button", name="Download PDF").click()
    assert answer.value.status == 400
    assert page.title().startswith("Problem:")
    notes_box = page.get_by_label("Notes from the care team")
    assert page.locator("#f-notes-error").inner_text() == "Problem: has 12 notes (give at most 10)"
    assert notes_box.get_attribute("aria-invalid") == "true"
    assert "f-notes-error" in (notes_box.get_attribute("aria-describedby") or "")
    assert notes_box.input_value() == notes
    assert "no section is ticked" in page.locator("#f-sections-error").inner_text()
    summary = page.get_by_role("alert")
    assert summary.evaluate("e => e === document.activeElement")  # focus moves to the list of problems
    summary.get_by_role("link", name=re.compile("Notes from the care team")).click()
    assert page.url.endswith("#f-notes")


@pytest.mark.browser
def test_print_opens_the_pdf_in_a_new_tab(page: Any) -> None:
    page.get_by_label("Type of MS", exact=True).select_option("spms")
    context = page.context
    with (
        context.expect_event("response", lambda r: r.url.endswith("/handout")) as answer,
        context.expect_page() as tab,
    ):
        page.get_by_role("button", name=re.compile("^Print")).click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    assert tab.value is not page
    assert page.get_by_role("heading", name="Make an MS handout").is_visible()  # the form stays open


@pytest.mark.browser
def test_view_as_web_page_opens_the_styled_page_in_a_new_tab(page: Any) -> None:
    page.get_by_label("Type of MS", exact=True).select_option("ppms")
    context = page.context
    blocked: list[str] = []
    context.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    with context.expect_page() as tab:
        page.get_by_role("button", name=re.compile("^View as web page")).click()
    handout = tab.value
    handout.wait_for_load_state()
    assert handout.get_by_role("heading", level=1).inner_text() == "Primary progressive MS (PPMS)"
    assert handout.evaluate("getComputedStyle(document.querySelector('.skip')).position") == "absolute"
    handout.evaluate("document.fonts.ready.then(() => 0)")
    fonts = handout.evaluate("[...document.fonts].map(f => [f.family, f.weight, f.status])")
    assert sorted(fonts) == [["HandoutText", "400", "loaded"], ["HandoutText", "700", "loaded"]]
    assert handout.locator(".checklist input[type=checkbox]").count() >= 2
    assert blocked == []
    assert page.get_by_role("heading", name="Make an MS handout").is_visible()  # the form stays open


@pytest.mark.browser
def test_keyboard_only_use_with_visible_focus(page: Any) -> None:
    reached: list[str] = []
    for _ in range(80):  # the form has a checkbox per topic sheet
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const e = document.activeElement, s = getComputedStyle(e);
                return {id: e.id || e.textContent.trim(), outline: s.outlineStyle,
                        width: parseFloat(s.outlineWidth), background: s.backgroundColor};
            }"""
        )
        reached.append(focused["id"])
        assert focused["outline"] != "none", focused
        assert focused["width"] >= 2, focused
        if focused["id"].startswith("Print"):
            break
    expected = ["f-type", "f-stage-newly-diagnosed", "f-audience-patient", "f-language", "f-paper-letter",
                "f-print-standard", "f-layout", "f-sections-about-ms", "f-patient_name", "f-notes", "Download PDF"]  # fmt: skip
    for control in expected:
        assert control in reached
    assert reached.index("f-type") < reached.index("f-notes") < reached.index("Download PDF")
    # Now make a handout with the keyboard alone: type, stage, then Download.
    page.get_by_label("Type of MS", exact=True).focus()
    page.keyboard.press("End")  # the last type: PPMS
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # stage: established
    page.get_by_role("button", name="Download PDF").focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    text = pdf_text(Path(info.value.path()).read_bytes())
    assert "Primary progressive MS (PPMS)" in text
    assert "Staying well with MS over the years" in text


@pytest.mark.browser
def test_every_field_is_labelled_and_all_text_has_7_to_1_contrast(page: Any) -> None:
    page.get_by_label("Type of MS", exact=True).select_option("rrms")
    page.get_by_label("Notes from the care team").fill("x" * (MAX_NOTE_CHARS + 1))
    page.get_by_role("button", name="Download PDF").click()  # the page with messages uses every colour
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(e => !e.labels.length || !e.labels[0].textContent.trim()).map(e => e.name)"""
    )
    assert unlabelled == []
    legends = page.evaluate(
        "() => [...document.querySelectorAll('fieldset')].map(f => !!f.querySelector('legend'))"
    )
    assert legends
    assert all(legends)
    page.keyboard.press("Tab")  # a focused link shows the focus colours too
    for fore, back, text in page.evaluate(TEXT_COLOURS):
        assert contrast_ratio(_hex(fore), _hex(back)) >= 7, (text, fore, back)


TEXT_COLOURS = """() => {
  const out = [];
  const background = e => {
    for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
    }
    return 'rgb(255, 255, 255)';
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!n.textContent.trim() || !e.getClientRects().length) continue;
    const r = e.getBoundingClientRect();
    if (r.right < 0 || r.bottom < 0) continue;
    out.push([getComputedStyle(e).color, background(e), n.textContent.trim().slice(0, 40)]);
  }
  return out;
}"""


def _hex(rgb: str) -> str:
    parts = [int(float(x)) for x in re.findall(r"[\d.]+", rgb)[:3]]
    return "#" + "".join(f"{p:02x}" for p in parts)


# --- starting the server ----------------------------------------------------------------------


def serve_fails(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handouts", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_port_in_use_gets_one_clear_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve_fails("--port", str(port))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use (choose another --port, or stop what uses it)"
    )


def test_ctrl_c_stops_the_server_cleanly() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "handouts", "serve", "--port", "0"], stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    assert process.stderr.readline().startswith("Serving handouts at http://127.0.0.1:")
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=30)
    assert process.returncode == 0
    assert rest == "Stopped.\n"


def test_a_bad_clinic_profile_stops_the_server_before_it_starts(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("phone: 555\naccent: red\n")
    result = serve_fails("--port", "0", "--clinic", str(clinic))
    assert result.returncode == 2
    assert "name: is missing" in result.stderr
    assert "accent: 'red' is not a colour" in result.stderr
    assert "Serving" not in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_translations_are_a_language_message_or_marked_english(
    tmp_path: Path, engine: Engine
) -> None:
    """An organisation block with no Spanish translation: refused next to Language, or printed in English, marked."""
    if "es" not in offered_languages(engine):
        pytest.skip("no Spanish content in this tree yet")
    blocks = engine.library("en").blocks.values()
    model = min((b for b in blocks if b.tags.fit(None, "newly-diagnosed", "patient")), key=lambda b: b.id)
    org = tmp_path / "org"
    block = org / "en" / model.topic / "org-after-hours.md"
    block.parent.mkdir(parents=True)
    block.write_text(
        model.path.read_text().replace(f"id: {model.id}", "id: org-after-hours")
        + "\nAfter hours, call the Riverside night line.\n"
    )
    with running_server(tmp_path, "--content-dir", str(org)) as started:
        refused = post(started, {"language": "es"})
        assert refused.status == 400
        message = field_error(refused.text, "language")
        assert message is not None
        assert message.startswith("this handout is not fully translated into Español yet")
        marked = post(started, {"language": "es", "allow_fallback": "on"})
        assert marked.status == 200, marked.text
        assert "Riverside night line" in pdf_text(marked.body)


# --- nothing is kept ---------------------------------------------------------------------------


def test_nothing_typed_is_written_to_disk_or_logs(server: Server) -> None:
    """Runs after the tests above (file order): names and notes went through; none of it stayed."""
    secret_name, secret_note = "Zebulon Marchetti-Ytterby", "Secret note about the lumbar puncture"
    assert post(server, {"patient_name": secret_name, "notes": secret_note}).status == 200
    assert post(server, {"patient_name": secret_name, "notes": secret_note, "paper": "b5"}).status == 400
    log = "".join(server.output)
    for secret in (secret_name, secret_note, NAME, NOTE, "Zebulon"):
        assert secret not in log
    assert list(server.workdir.iterdir()) == []
    assert list(server.tmpdir.iterdir()) == []
    assert server.process.poll() is None  # still serving after everything thrown at it


# --- reading the form page ---------------------------------------------------------------------


class FormFields(HTMLParser):
    """The controls, labels, options and buttons of the form page."""

    def __init__(self) -> None:
        super().__init__()
        self.method_action: tuple[str, str] = ("", "")
        self.names: set[str] = set()
        self.ids: dict[str, str] = {}
        self.label_for: set[str] = set()
        self.options: dict[str, list[str]] = {}
        self.buttons: list[tuple[str | None, str | None]] = []
        self._select: str | None = None

    @classmethod
    def parse(cls, html: str) -> FormFields:
        parser = cls()
        parser.feed(html)
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.method_action = (a.get("method") or "", a.get("action") or "")
        elif tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.names.add(a.get("name") or "")
            self.ids[a.get("id") or ""] = a.get("name") or ""
            if tag == "select":
                self._select = a.get("name")
                self.options[self._select or ""] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value") or "")
        elif tag == "label" and a.get("for"):
            self.label_for.add(a["for"] or "")
        elif tag == "button":
            self.buttons.append((a.get("value"), a.get("formtarget")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def unlabelled(self) -> list[str]:
        return sorted(i for i in self.ids if i not in self.label_for)
