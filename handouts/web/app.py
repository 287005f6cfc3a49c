"""Turn HTTP requests into handout PDFs or web pages: a Flask app with one form, validated exactly like the CLI."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import threading
from importlib import resources

from flask import Flask, Response, abort, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from handouts.clinic import Clinic
from handouts.country import COUNTRIES
from handouts.engine import Engine
from handouts.errors import ContentError, HandoutsError, SpecError
from handouts.limits import MAX_FIELD_CHARS, MAX_FORM_BYTES, MAX_NOTE_CHARS, MAX_NOTES
from handouts.render import Rendered, render_handout, render_handout_html
from handouts.spec import HandoutSpec
from handouts.vocabulary import AUDIENCES, GENERAL, PAPERS, PRINT_SIZES, STAGES, TYPE_CHOICES
from handouts.web import labels
from handouts.web.form import SECTIONS_SHOWN, FormValues, field_messages, parse_form, read_form
from handouts.web.guard import EXPIRED, TOKEN_FIELD, FormGuard
from handouts.web.infobutton import Service, register_infobutton
from handouts.web.options import SOURCE_LANGUAGE, Offer, make_offer
from handouts.web.raw_form import NOT_TEXT, damaged_fields, undecodable_fields

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""The page needs one stylesheet from this server and nothing else: no scripts, no frames, no other sites."""

HANDOUT_PAGE_CSP = (
    "default-src 'none'; style-src '{style}'; img-src data:; font-src data:; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""A handout's web page allows exactly its own inline stylesheet (by hash) and the logo and font it carries
inline as data: URIs: no scripts, no requests anywhere."""
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)

FORM_FIELDS = tuple(labels.FIELD_LABELS)
log = logging.getLogger("handouts.web")


def create_app(engine: Engine, clinic: Clinic | None = None, frame_ancestors: tuple[str, ...] = ()) -> Flask:
    """The web app for one engine and clinic profile, both fixed here and never chosen by a request.

    `frame_ancestors`: EHR origins allowed to show its pages in a frame (none by default).
    """
    offer = make_offer(engine)
    app = Flask(__name__, static_folder=None)
    app.jinja_options = {**app.jinja_options, "trim_blocks": True, "lstrip_blocks": True}
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_FORM_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_FORM_BYTES,
        MAX_FORM_PARTS=200,
        TEMPLATES_AUTO_RELOAD=False,
    )
    guard = FormGuard()
    app.jinja_env.globals.update(
        _page_globals(offer, clinic), form_token=guard.token, token_field=TOKEN_FIELD
    )
    render_lock = threading.Lock()
    _add_static_files(app)

    @app.get("/")
    def form() -> Response:
        return _page(FormValues(), {}, 200)

    @app.post("/handout")
    def handout() -> Response:
        raw = request.get_data(cache=True) if request.mimetype == "application/x-www-form-urlencoded" else b""
        refused = _refusal(guard)
        if refused is not None:
            return refused
        if request.content_length and not request.form and not request.files:
            # A body that is not a readable form (not UTF-8, broken multipart, JSON): Flask drops it whole,
            # and a handout made without the fields the person sent would hide their mistake.
            abort(400)
        values = read_form(request.form)
        damaged = _damaged(raw)
        if damaged:
            return _page(values, {name: NOT_TEXT for name in damaged}, 400)
        try:
            spec = parse_form(values, offer, clinic)
            with render_lock:  # ReportLab keeps module-level state; one render at a time is quick enough
                if values.action == "html":
                    return _html_response(render_handout_html(spec, engine), spec)
                rendered = render_handout(spec, engine)
        except SpecError as exc:
            return _page(values, field_messages(exc, FORM_FIELDS), 400)
        except HandoutsError as exc:
            return _page(values, _render_problem(exc, values), 400)
        return _pdf_response(rendered, spec, values.action)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return _error_page(exc.code or 400, exc.name, _http_advice(exc.code))

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> Response:
        log.error("internal error while serving %s %s: %s", request.method, request.path, type(exc).__name__)
        return _error_page(500, "Something went wrong", "The handout could not be made. Please try again.")

    register_infobutton(
        app, Service(engine, offer, clinic, render_lock, download_name, _html_response), frame_ancestors
    )
    app.after_request(_secure_headers)  # runs before the framing hook: Flask runs these last-registered first
    return app


def _add_static_files(app: Flask) -> None:
    """The stylesheet and the icon: the only files the server sends, read once."""
    folder = resources.files("handouts.web").joinpath("static")
    stylesheet = folder.joinpath("handouts.css").read_bytes()
    favicon = folder.joinpath("favicon.svg").read_bytes()

    @app.get("/favicon.ico")
    @app.get("/favicon.svg")
    def favicon_file() -> Response:
        response = Response(favicon, mimetype="image/svg+xml")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    @app.get("/handouts.css")
    def stylesheet_file() -> Response:
        response = Response(stylesheet, mimetype="text/css")
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response


def _refusal(guard: FormGuard) -> Response | None:
    """A 403 page when another site sent this post (see web/guard.py), else None."""
    refused = guard.header_refusal(request.headers.items(), request.host)
    refused = refused or guard.token_refusal(request.headers.items(), request.form)
    if refused is None:
        return None
    title = "The form has expired" if refused == EXPIRED else "Refused: the form came from another site"
    return _error_page(403, title, refused)


def _damaged(raw: bytes) -> list[str]:
    """The form fields whose bytes were not UTF-8 text (`%ff%fe`)."""
    found = undecodable_fields(raw) + damaged_fields(request.form.items(multi=True))
    return [name for name in dict.fromkeys(found) if name in FORM_FIELDS]


def _page_globals(offer: Offer, clinic: Clinic | None) -> dict[str, object]:
    """Everything the form template needs besides the submitted values and messages."""
    return {
        "offer": offer,
        "clinic": clinic,
        "labels": labels,
        "label": labels.label,
        "choices": {
            "type": TYPE_CHOICES,
            "stage": STAGES,
            "audience": AUDIENCES,
            "paper": PAPERS,
            "print": PRINT_SIZES,
            "country": ("", *COUNTRIES),
        },
        "limits": {"name": MAX_FIELD_CHARS, "note": MAX_NOTE_CHARS, "notes": MAX_NOTES},
        "sections_shown": SECTIONS_SHOWN,
        "source_language": SOURCE_LANGUAGE,
        "stylesheet": "/handouts.css",
        "favicon": "/favicon.svg",
    }


def _page(values: FormValues, errors: dict[str, str], status: int) -> Response:
    html = render_template("form.html", values=values, errors=errors, action_url=url_for("handout"))
    return Response(html, status=status, mimetype="text/html")


def _error_page(status: int, title: str, advice: str) -> Response:
    html = render_template("error.html", status=status, title=title, advice=advice)
    return Response(html, status=status, mimetype="text/html")


def _http_advice(code: int | None) -> str:
    return {
        404: "There is no page here. Go back to the handout form.",
        405: "This address only accepts the handout form. Go back to the form and press a button there.",
        413: "The form was too large. Shorten the notes and try again.",
    }.get(code or 0, "The request could not be read. Go back to the form and try again.")


def _render_problem(exc: HandoutsError, values: FormValues) -> dict[str, str]:
    """A rendering failure as a message: a missing translation belongs to the language field."""
    if isinstance(exc, ContentError) and values.language != SOURCE_LANGUAGE and not values.allow_fallback:
        name = labels.label(labels.LANGUAGE_NAMES, values.language)
        return {
            "language": f"this handout is not fully translated into {name} yet "
            "(tick “Print the English text where a translation is missing”, or choose English)"
        }
    return {"": exc.message}


def _pdf_response(rendered: Rendered, spec: HandoutSpec, action: str) -> Response:
    """The PDF, inline for Print (the browser opens it) or as an attachment for Download."""
    disposition = "inline" if action == "print" else "attachment"
    response = Response(rendered.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{download_name(spec)}"'
    return response


def _html_response(page: str, spec: HandoutSpec) -> Response:
    """The handout as a web page, with a policy that allows its own stylesheet and nothing more."""
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = handout_page_policy(page)
    response.headers["Content-Disposition"] = f'inline; filename="{download_name(spec, "html")}"'
    return response


def handout_page_policy(page: str) -> str:
    """The Content-Security-Policy of a handout page: its one <style> element allowed by its SHA-256 hash."""
    found = _STYLE.search(page)
    digest = hashlib.sha256(found.group(1).encode("utf-8") if found else b"").digest()
    return HANDOUT_PAGE_CSP.format(style="sha256-" + base64.b64encode(digest).decode("ascii"))


def download_name(spec: HandoutSpec, extension: str = "pdf") -> str:
    """A file name from the options only, never from the patient's name or notes."""
    parts = [
        "ms-sheets" if spec.sheets_only else "ms-handout",
        spec.type or GENERAL,
        spec.stage,
        spec.audience,
    ]
    if spec.layout != "standard":
        parts.append(spec.layout)
    parts += [spec.language, spec.paper]
    if spec.print_size == "large":
        parts.append("large-print")
    parts += spec.sheets  # sheet ids are checked names: lowercase letters, digits and -
    return "-".join(parts) + "." + extension


def _secure_headers(response: Response) -> Response:
    """No caching of anything that may hold a name or note; a strict policy for every page."""
    headers = response.headers
    headers.setdefault("Cache-Control", "no-store")
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CSP)  # a handout page brings its own, stricter in kind
    return response
