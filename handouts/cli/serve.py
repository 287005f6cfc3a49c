"""`handouts serve`: the clinicians' web form on a local address."""

from __future__ import annotations

from pathlib import Path

import click

from handouts.cli.options import CONTEXT, content_dir_option, templates_dir_option, warn_clinic_country


@click.command(context_settings=CONTEXT)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. The form has no login: keep the default unless other computers must reach it.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--clinic",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Clinic profile YAML printed on every handout. Set here, never by the form.",
)
@click.option(
    "--threads", type=click.IntRange(1, 64), default=4, show_default=True, help="Requests served at once."
)
@click.option(
    "--frame-ancestors",
    "frame_ancestors",
    multiple=True,
    metavar="ORIGIN",
    help="An EHR origin (https://host[:port]) allowed to show the pages in a frame; repeat for more. "
    "Off by default: no site may frame them.",
)
@content_dir_option
@templates_dir_option
def serve(
    host: str,
    port: int,
    clinic: Path | None,
    threads: int,
    frame_ancestors: tuple[str, ...],
    content_dirs: tuple[Path, ...],
    templates_dirs: tuple[Path, ...],
) -> None:
    """Serve the handout form to a browser: choose the options, then Download PDF or Print.

    Open the address it prints (http://127.0.0.1:8000/ by default). The clinic profile and the
    content and template directories are fixed here, when the server starts. Nothing typed into the
    form is stored or logged. Stop the server with Ctrl+C.

    Health records can link to /infobutton with HL7 Infobutton parameters (see docs/ehr.md).
    """
    from handouts.clinic import load_clinic
    from handouts.engine import Engine
    from handouts.web.app import create_app
    from handouts.web.infobutton import check_frame_ancestors
    from handouts.web.server import make_server, run_server

    origins = check_frame_ancestors(frame_ancestors)
    engine = Engine.from_dirs(content_dirs, templates_dirs)
    profile = load_clinic(clinic) if clinic else None
    warn_clinic_country(profile, str(clinic))
    app = create_app(engine, profile, origins)
    run_server(make_server(app, host, port, threads), lambda line: click.echo(line, err=True))
