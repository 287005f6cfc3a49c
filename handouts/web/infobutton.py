"""Answer HL7 Infobutton requests from a health record: the problem code picks the handout, the type the answer."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, render_template, request, url_for

from handouts.clinic import Clinic
from handouts.engine import Engine
from handouts.errors import HandoutsError, SpecError, UsageError
from handouts.render import handout_xml, render_handout, render_handout_html
from handouts.spec import SPEC_KEYS, HandoutSpec, parse_spec
from handouts.web.form import FormValues
from handouts.web.infobutton_feed import Entry, Feed, feed_atom, feed_json
from handouts.web.infobutton_request import (
    CODE,
    EXTENSIONS,
    LANGUAGE,
    RECIPIENT,
    RESPONSE_TYPE,
    SYSTEM,
    VIEW,
    InfobuttonError,
    InfobuttonQuery,
    answer_kind,
    read_query,
    safe_parameters,
)
from handouts.web.labels import LANGUAGE_NAMES
from handouts.web.options import Offer
from handouts.xmltree import HandoutMeta, parse_document_xml

TYPE_NAMES = {
    "general": "MS in general",
    "cis": "clinically isolated syndrome (CIS)",
    "rrms": "relapsing-remitting MS",
    "spms": "secondary progressive MS",
    "ppms": "primary progressive MS",
}
ORIGIN = "infobutton link"
_HOST = re.compile(r"^(?:[A-Za-z0-9.\-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]{1,253}(?::\d{1,5})?$")


@dataclass(frozen=True)
class Choice:
    """The handout type a request asks for, and the reason in words a clinician can check."""

    type: str
    reason: str


@dataclass(frozen=True)
class Service:
    """What every answer needs, fixed when the server starts."""

    engine: Engine
    offer: Offer
    clinic: Clinic | None
    lock: threading.Lock
    file_name: Callable[[HandoutSpec], str]
    handout_page: Callable[[str, HandoutSpec], Response]
    """The handout's own web page (its HTML twin) as a response, with that page's policy."""


def register_infobutton(app: Flask, service: Service, frame_ancestors: tuple[str, ...] = ()) -> None:
    """Add GET/HEAD /infobutton; with `frame_ancestors`, let those EHR origins show answers in a frame."""

    @app.get("/infobutton")
    def infobutton() -> Response:
        response_type = "html"
        try:
            parameters = safe_parameters(request.query_string)  # identifying parameters are gone from here on
            response_type = answer_kind(parameters)
            return answer(service, read_query(parameters, service.offer.layouts), base_url())
        except InfobuttonError as exc:
            return error_answer(exc, response_type)

    if frame_ancestors:
        app.after_request(lambda response: allow_framing(response, frame_ancestors))


def check_frame_ancestors(origins: tuple[str, ...]) -> tuple[str, ...]:
    """The EHR origins allowed to frame answers, each `https://host[:port]`; anything else is refused."""
    found = tuple(part for origin in origins for part in origin.replace(",", " ").split())
    for origin in found:
        if not _ORIGIN.match(origin):
            raise UsageError(
                f"--frame-ancestors {origin[:60]!r}: not an origin (give https://host or https://host:port, "
                "e.g. --frame-ancestors https://ehr.example.org)"
            )
    return found


def allow_framing(response: Response, origins: tuple[str, ...]) -> Response:
    """Replace 'no framing at all' with framing by the named origins only."""
    policy = "frame-ancestors " + " ".join(origins)
    response.headers.pop("X-Frame-Options", None)
    current = response.headers.get("Content-Security-Policy")
    response.headers["Content-Security-Policy"] = (
        current.replace("frame-ancestors 'none'", policy) if current else policy
    )
    return response


def base_url() -> str:
    """This server's address as the request reached it, for absolute links in feeds."""
    if not _HOST.match(request.host):
        raise InfobuttonError(400, "", "the Host header is not a host name")
    return request.host_url


def choose(query: InfobuttonQuery) -> Choice | None:
    """The type the link names with type=, else the one its problem code maps to; None: not an MS code."""
    if "type" in query.overrides:
        chosen = query.overrides["type"]
        return Choice(chosen, f"the link asks for type={chosen} ({TYPE_NAMES[chosen]})")
    row = query.system.find(query.code) if query.system else None
    if row is None or query.system is None:
        return None
    return Choice(row.type, f"{query.system.name} {row.code} ({row.title}) → {TYPE_NAMES[row.type]}")


def language_for(service: Service, query: InfobuttonQuery) -> tuple[str, str]:
    """The handout language, and a notice when the record asked for one this server does not make."""
    if query.language_unsupported:
        asked = query.language_asked if query.language_asked != "?" else "the one asked for"
        return "en", f"Handouts are made in English and Spanish, not in {asked}: this handout is in English."
    if query.language not in service.offer.languages:
        name = LANGUAGE_NAMES.get(query.language, query.language)
        return "en", f"{name} handouts are not available on this server: this handout is in English."
    return query.language, ""


def make_spec(service: Service, query: InfobuttonQuery, choice: Choice, language: str) -> HandoutSpec:
    """The spec for the chosen handout; the clinic comes from the server, never from the request."""
    given = query.overrides
    keys: dict[str, object] = {
        "type": choice.type,
        "stage": given.get("stage", "newly-diagnosed"),
        "audience": given.get("audience", "patient"),
        "language": language,
        "paper": given.get("paper", "letter"),
        "print": given.get("print", "standard"),
        "layout": given.get("layout", "standard"),
        "allow_fallback": language != "en",  # a missing translation prints in English, marked
        "clinic": service.clinic,
    }
    if "country" in given:
        keys["country"] = given["country"]
    if "sheets" in given:
        if "sheets" not in SPEC_KEYS:
            raise InfobuttonError(400, "sheets", "topic sheets are not available on this server")
        keys["sheets"] = given["sheets"].split(",")
    try:
        return parse_spec(keys, ORIGIN)
    except SpecError as exc:
        problem = exc.problems[0] if exc.problems else None
        field = problem.field if problem and problem.field in EXTENSIONS else ""
        raise InfobuttonError(400, field, problem.detail if problem else exc.message) from None


def answer(service: Service, query: InfobuttonQuery, base: str) -> Response:
    """The answer in the type asked for; no MS code: an empty feed, or a 404 page for people."""
    choice = choose(query)
    language, notice = language_for(service, query)
    if choice is None:
        if query.response in ("json", "atom"):
            return feed_answer(query, feed_for(query, language, notice, base, None), language)
        return not_found(query)
    spec = make_spec(service, query, choice, language)
    try:
        if query.response == "html" and query.view == "handout":
            with service.lock:
                response = service.handout_page(render_handout_html(spec, service.engine), spec)
        elif query.response == "pdf":
            with service.lock:
                rendered = render_handout(spec, service.engine)
            response = Response(rendered.pdf, mimetype="application/pdf")
            response.headers["Content-Disposition"] = f'inline; filename="{service.file_name(spec)}"'
        else:
            with service.lock:
                meta = first_meta(handout_xml(spec, service.engine))
            response = described(service, query, spec, choice, meta, notice, base)
    except SpecError as exc:  # e.g. an unknown sheet name, found when the handout is made
        problem = exc.problems[0] if exc.problems else None
        if problem is None or problem.field not in EXTENSIONS:
            raise InfobuttonError(422, "", "this handout could not be made with these options") from None
        raise InfobuttonError(400, problem.field, problem.detail) from None
    except HandoutsError:
        raise InfobuttonError(
            422, "", "this handout could not be made with these options (try the standard layout)"
        ) from None
    response.headers["Content-Language"] = language
    return response


def described(
    service: Service,
    query: InfobuttonQuery,
    spec: HandoutSpec,
    choice: Choice,
    meta: HandoutMeta,
    notice: str,
    base: str,
) -> Response:
    """The HTML page or a feed with one entry, for a handout that was chosen."""
    links = {kind: link(base, query, spec.language, kind) for kind in ("text/html", "application/pdf")}
    links["handout"] = links["text/html"] + f"&{VIEW}=handout"
    if query.response == "html":
        return page(service, spec, choice, meta, notice, links)
    entry = Entry(
        id=f"tag:handouts,{meta.oldest_review or '2026-01-01'}:{spec.type or 'general'}/{spec.language}/{meta.content_version}",
        title=meta.title,
        summary=summary(spec, choice),
        updated=timestamp(meta.oldest_review),
        html_url=links["handout"],
        pdf_url=links["application/pdf"],
        pdf_name=service.file_name(spec),
    )
    return feed_answer(query, feed_for(query, spec.language, notice, base, entry), spec.language)


def page(
    service: Service, spec: HandoutSpec, choice: Choice, meta: HandoutMeta, notice: str, links: dict[str, str]
) -> Response:
    """Which handout and why, Download PDF and Print, and the form set to this handout for a name or notes."""
    values = FormValues(
        type=choice.type,
        stage=spec.stage,
        audience=spec.audience,
        language=spec.language,
        paper=spec.paper,
        print_size=spec.print_size,
        layout=spec.layout,
        allow_fallback=spec.allow_fallback,
        country=spec.country or "",
    )
    html = render_template(
        "infobutton.html",
        values=values,
        errors={},
        action_url=url_for("handout"),
        handout_title=meta.title,
        handout_lang=spec.language,
        reason=choice.reason,
        notice=notice,
        pdf_url=links["application/pdf"],
        web_url=links["handout"],
        file_name=service.file_name(spec),
    )
    return Response(html, mimetype="text/html")


def first_meta(xml: str) -> HandoutMeta:
    """What the handout element says; for a pack (a handout with topic sheets), the first part's."""
    root = parse_document_xml(xml, ORIGIN)
    return HandoutMeta.from_root(root.elements()[0] if root.tag == "pack" else root)


def summary(spec: HandoutSpec, choice: Choice) -> str:
    reader = "family and caregivers" if spec.audience == "caregiver" else "the person with MS"
    stage = "newly diagnosed" if spec.stage == "newly-diagnosed" else "living with MS for some time"
    language = LANGUAGE_NAMES.get(spec.language, spec.language)
    return f"A printable handout about {TYPE_NAMES[choice.type]} for {reader}, {stage}, in {language}."


def timestamp(day: str) -> str:
    """An Atom date: the review day at midnight UTC, or now when there is no content."""
    if day:
        return f"{day}T00:00:00Z"
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def link(base: str, query: InfobuttonQuery, language: str, response_type: str) -> str:
    """A link to this answer in another type, built only from recognised, non-identifying values."""
    params: list[tuple[str, str]] = []
    if query.system and query.shown_code:
        params += [(SYSTEM, query.system.oid), (CODE, query.shown_code)]
    if query.recipient:
        params.append((RECIPIENT, query.recipient))
    params.append((LANGUAGE, language))
    params += [(name, query.overrides[name]) for name in EXTENSIONS if name in query.overrides]
    params.append((RESPONSE_TYPE, response_type))
    return f"{base}infobutton?{urllib.parse.urlencode(params)}"


def feed_for(query: InfobuttonQuery, language: str, notice: str, base: str, entry: Entry | None) -> Feed:
    """The feed around zero or one entry; its categories echo what was recognised."""
    searched = f"{query.system.name} {query.shown_code}" if query.system and query.shown_code else "this link"
    categories = [(SYSTEM, query.system.oid)] if query.system else []
    if query.shown_code:
        categories.append((CODE, query.shown_code))
    if query.recipient:
        categories.append((RECIPIENT, query.recipient))
    categories.append((LANGUAGE, language))
    categories += [(name, query.overrides[name]) for name in EXTENSIONS if name in query.overrides]
    return Feed(
        id=f"{base}infobutton?{urllib.parse.urlencode(categories)}",
        base=base,
        language=language,
        subtitle=" ".join(part for part in (f"MS handout results for {searched}.", notice) if part),
        updated=entry.updated if entry else timestamp(""),
        categories=tuple(categories),
        entries=(entry,) if entry else (),
    )


def feed_answer(query: InfobuttonQuery, feed: Feed, language: str) -> Response:
    if query.response == "json":
        response = Response(json.dumps(feed_json(feed), ensure_ascii=False), mimetype="application/json")
    else:
        response = Response(feed_atom(feed), mimetype=query.media_type)
    response.headers["Content-Language"] = language
    return response


def not_found(query: InfobuttonQuery) -> Response:
    code = f"{query.system.name} {query.shown_code}" if query.system and query.shown_code else "This code"
    html = render_template(
        "error.html",
        status=404,
        title="No MS handout for this code",
        advice=f"{code} is not a code for multiple sclerosis, and this service only makes MS handouts. "
        "Choose a handout by hand in the form.",
    )
    return Response(html, status=404, mimetype="text/html", headers={"Content-Language": "en"})


def error_answer(exc: InfobuttonError, response_type: str) -> Response:
    """A 4xx answer naming the parameter; JSON for a JSON client, a short page for everyone else."""
    if response_type == "json":
        body = {"error": {"status": exc.status, "parameter": exc.parameter, "message": exc.message}}
        return Response(json.dumps(body), status=exc.status, mimetype="application/json")
    titles = {406: "This answer type is not offered", 414: "The link is too long"}
    html = render_template(
        "error.html",
        status=exc.status,
        title=titles.get(exc.status, "The link could not be read"),
        advice=exc.message,
    )
    return Response(html, status=exc.status, mimetype="text/html", headers={"Content-Language": "en"})
