"""Turn the web app into a running server: waitress on a loopback port, request bodies capped, nothing logged per request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from waitress import create_server

from handouts.errors import UsageError
from handouts.limits import MAX_FORM_BYTES
from handouts.web.slow_clients import install_deadlines, quiet_queue_log, slow_client_settings

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def server_settings(threads: int) -> dict[str, Any]:
    """Waitress settings: bodies over the limit refused before the app runs; buffers never spill to disk."""
    body_limit = 2 * MAX_FORM_BYTES  # the app answers the first step over its limit with a page of its own
    return {
        "threads": threads,
        "max_request_body_size": body_limit,
        "max_request_header_size": 32_768,
        "inbuf_overflow": body_limit + 1,  # request bodies stay in memory, never in a temporary file
        "outbuf_overflow": 64_000_000,  # so do PDFs on their way out
        "expose_tracebacks": False,
        "ident": "handouts",
        **slow_client_settings(),
    }


def make_server(app: Flask, host: str, port: int, threads: int = 4) -> Any:
    """A bound waitress server (port 0 picks a free port; see `effective_port`)."""
    quiet_queue_log()
    try:
        server = create_server(app, host=host, port=port, **server_settings(threads))
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror} (choose another --port, or stop what uses it)"
        ) from exc
    install_deadlines(server)
    return server


def run_server(server: Any, announce: Callable[[str], None]) -> None:
    """Serve until Ctrl+C; the address is announced once it is listening."""
    host, port = server.effective_host, server.effective_port
    shown = f"[{host}]" if ":" in str(host) else host
    try:
        announce(f"Serving handouts at http://{shown}:{port}/ (press Ctrl+C to stop)")
        if host not in LOOPBACK:
            announce("Warning: other computers can reach this address; the form has no login.")
        server.run()  # returns after Ctrl+C
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    announce("Stopped.")
