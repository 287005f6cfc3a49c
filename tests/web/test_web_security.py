"""`handouts serve` against hostile pages and clients: cross-site posts, slow sockets, damaged text, empty handouts.

A real server on 127.0.0.1 (started the way the README says), raw HTTP, real sockets and a real chromium.
"""

from __future__ import annotations

import contextlib
import http.server
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from .test_web import CLINIC, Reply, Server, field_error, launch_chromium, request, running_server

FORM = "application/x-www-form-urlencoded"
FOREIGN = "This form was sent from another web site, so no handout was made."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("serve-security")
    clinic = home / "clinic.yaml"
    clinic.write_text(f"name: {CLINIC}\n")
    with running_server(home, "--clinic", str(clinic)) as started:
        yield started


def send(server: Server, fields: dict[str, str] | list[tuple[str, str]] | bytes, **headers: str) -> Reply:
    body = fields if isinstance(fields, bytes) else urllib.parse.urlencode(fields).encode()
    names = {key.replace("_", "-"): value for key, value in headers.items()}
    return request(server, "POST", "/handout", body, {"Content-Type": FORM, **names})


def form_token(server: Server) -> str:
    page = request(server, "GET", "/").text
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, "the form carries no token"
    return found.group(1)


# --- cross-site posts ------------------------------------------------------------------------

HOSTILE = {"type": "rrms", "notes": "Stop taking your MS medicine now", "action": "print"}


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec_Fetch_Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec_Fetch_Site": "cross-site", "Origin": "null"},
        {"Sec_Fetch_Site": "same-site", "Origin": "null"},  # another port of this host
        {"Origin": "https://evil.example"},  # a browser that sends no Sec-Fetch-Site
        {"Origin": "http://127.0.0.1:1"},
        {"Origin": "null"},  # no Sec-Fetch-Site, no token: a page that hid its origin
    ],
)
def test_cross_site_post_is_refused_with_a_page_saying_why(server: Server, headers: dict[str, str]) -> None:
    reply = send(server, HOSTILE, **headers)
    assert reply.status == 403
    assert reply.headers["content-type"].startswith("text/html")
    assert FOREIGN in reply.text
    assert "Refused: the form came from another site" in reply.text
    assert "Stop taking" not in reply.text


def test_a_forged_token_is_refused(server: Server) -> None:
    token = form_token(server)
    issued, _, signature = token.partition(".")
    forged = f"{int(issued) + 1}.{signature}"
    reply = send(server, {**HOSTILE, "form_token": forged}, Origin="null")
    assert reply.status == 403
    assert "Reload the handout form" in reply.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec_Fetch_Site": "same-origin", "Origin": "null"},  # a modern browser on our own page
        {"Sec_Fetch_Site": "none"},  # a person resending the form
        {},  # a program, not a browser: no victim to forge for
    ],
)
def test_posts_from_our_own_page_are_served(server: Server, headers: dict[str, str]) -> None:
    reply = send(server, {"type": "rrms"}, **headers)
    assert reply.status == 200, reply.text
    assert reply.body.startswith(b"%PDF-")


def test_the_token_from_the_form_vouches_for_an_old_browser(server: Server) -> None:
    reply = send(server, {"type": "rrms", "form_token": form_token(server)}, Origin="null")
    assert reply.status == 200, reply.text
    assert reply.body.startswith(b"%PDF-")


def test_same_origin_header_with_our_host_is_served(server: Server) -> None:
    reply = send(server, {"type": "rrms"}, Origin=f"http://127.0.0.1:{server.port}")
    assert reply.status == 200


@contextlib.contextmanager
def hostile_site(target: str, folder: Path) -> Iterator[str]:
    """Another web site, on localhost (a different site from 127.0.0.1), whose page posts to the handout form."""
    (folder / "index.html").write_text(
        '<!doctype html><html><head><meta name="referrer" content="no-referrer"><title>Win a prize</title>'
        f'</head><body><form method="post" action="{target}handout">'
        '<input type="hidden" name="notes" value="Stop taking your MS medicine now">'
        '<input type="hidden" name="action" value="print">'
        "<button>Claim your prize</button></form></body></html>"
    )

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


@pytest.mark.browser
def test_chromium_refuses_a_page_elsewhere_posting_the_form(server: Server, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright, hostile_site(server.url, tmp_path) as attacker:
        chromium = launch_chromium(playwright)
        try:
            page = chromium.new_context(java_script_enabled=False).new_page()
            page.goto(attacker)
            with page.expect_navigation():
                page.get_by_role("button", name="Claim your prize").click()
            assert page.get_by_role("heading", name="Refused: the form came from another site").is_visible()
            assert FOREIGN in page.content()
            # and the real form, in the same browser, still makes a handout
            page.goto(server.url)
            with page.expect_download() as info:
                page.get_by_role("button", name="Download PDF").click()
            assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")
        finally:
            chromium.close()


# --- slow clients ------------------------------------------------------------------------------

SLOW = 150


def slow_sockets(port: int, count: int) -> list[socket.socket]:
    """Connections that start a request and then send nothing more, as a slow-loris client does."""
    opened = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"POST /handout HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        opened.append(sock)
    return opened


def test_slow_clients_do_not_starve_a_normal_request(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        hanging = slow_sockets(server.port, SLOW)
        try:
            for sock in hanging[::10]:  # keep some of them trickling bytes
                sock.sendall(b"a")
            connection = socket.create_connection(("127.0.0.1", server.port), timeout=20)
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200 OK"), answer[:200]
            assert b"Make an MS handout" in answer
        finally:
            for sock in hanging:
                sock.close()


def test_a_client_that_never_finishes_its_request_is_disconnected(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.setblocking(True)  # MSG_DONTWAIT below then answers at once, never waits
        sock.sendall(b"POST /handout HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        closed = False
        for _ in range(60):  # a byte every second: never idle, never done
            try:
                sock.sendall(b"X")
                if sock.recv(1, socket.MSG_DONTWAIT) == b"":
                    closed = True
                    break
            except BlockingIOError:
                pass
            except (ConnectionResetError, BrokenPipeError):
                closed = True
                break
            time.sleep(1)
        sock.close()
        assert closed, "the server kept a request that never finished open for a minute"


def test_no_task_queue_lines_in_the_log_under_load(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        with ThreadPoolExecutor(max_workers=24) as pool:
            replies = list(pool.map(lambda _: send(server, {"type": "rrms"}), range(24)))
        assert all(reply.status == 200 for reply in replies)
        time.sleep(0.5)
        log = "".join(server.output)
        assert "Task queue depth" not in log
        assert "WARNING" not in log


# --- damaged text and empty handouts -----------------------------------------------------------


@pytest.mark.parametrize("field", ["patient_name", "notes"])
def test_bytes_that_are_not_utf8_are_refused_as_invalid_text(server: Server, field: str) -> None:
    reply = send(server, f"type=rrms&{field}=%ff%fe".encode())
    assert reply.status == 400
    assert field_error(reply.text, field) == (
        "holds bytes that are not text (UTF-8), so it was not used (type it again)"
    )


def test_percent_text_that_is_utf8_still_prints(server: Server) -> None:
    reply = send(server, b"type=rrms&patient_name=Jos%C3%A9+100%25")
    assert reply.status == 200, reply.text


def test_empty_selection_is_shown_next_to_the_sections(server: Server) -> None:
    reply = send(server, [("audience", "patient"), ("sections", "caregivers"), ("sections-shown", "1")])
    assert reply.status == 400
    message = field_error(reply.text, "sections")
    assert message is not None
    assert "caregivers has nothing for this reader" in message
    assert "about-ms" in message


def test_favicon_is_served_and_linked(server: Server) -> None:
    page = request(server, "GET", "/")
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in page.text
    for path in ("/favicon.svg", "/favicon.ico"):
        icon = request(server, "GET", path)
        assert icon.status == 200
        assert icon.headers["content-type"].startswith("image/svg+xml")
        assert icon.body.startswith(b"<svg")
