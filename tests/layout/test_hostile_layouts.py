"""Hostile organisation layouts, themes and content directories: every case refused with one clear line."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import Result

from handouts.limits import MAX_BLOCK_CHARS, MAX_PARAGRAPH_CHARS
from handouts.paths import builtin_dir

from ..conftest import pdf_text

Cli = Callable[..., Result]
SUMMARY = builtin_dir("templates") / "layouts" / "summary.xml.j2"
MARK = "<title>{{ handout_title }}</title>"
MARK_LINE = next(
    n for n, text in enumerate(SUMMARY.read_text(encoding="utf-8").splitlines(), 1) if MARK in text
)
"""The line of the summary layout where a snippet is planted (errors name it)."""
BLOCK_FRONT = """---
id: {id}
title: Hostile {id}
topic: about-ms
order: 5
types: [any]
stages: [any]
audiences: [any]
sources: [nmss-types]
reviewed: 2026-01-01
review_due: 2027-12-01
---
"""


def layout_dir(root: Path, name: str, snippet: str) -> Path:
    """A templates directory whose layout NAME is the built-in summary with SNIPPET in its title block."""
    layouts = root / "templates" / "layouts"
    layouts.mkdir(parents=True, exist_ok=True)
    source = SUMMARY.read_text(encoding="utf-8")
    assert MARK in source
    (layouts / f"{name}.xml.j2").write_text(source.replace(MARK, f"{MARK}<line>{snippet}</line>", 1))
    return root / "templates"


def block_dir(root: Path, block_id: str, body: str) -> Path:
    """A content directory holding one extra English block with BODY."""
    topic = root / "content" / "en" / "about-ms"
    topic.mkdir(parents=True, exist_ok=True)
    (topic / f"{block_id}.md").write_text(BLOCK_FRONT.format(id=block_id) + body + "\n", encoding="utf-8")
    return root / "content"


def one_line_error(result: Result) -> str:
    """The error a person sees: exactly one line, no traceback, no internal error."""
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    return lines[0]


# --- sandbox escapes in a layout --------------------------------------------------------------------------

ESCAPES = [
    ("{{ ''.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe"),
    ("{{ cycler.__init__.__globals__ }}", "access to attribute '__init__'"),
    ("{{ joiner.__init__.__globals__.os }}", "access to attribute '__init__'"),
    ("{{ namespace.__init__ }}", "access to attribute '__init__'"),
    ("{{ lipsum.__globals__['os'] }}", "access to attribute '__globals__'"),
    ("{{ _.__globals__ }}", "access to attribute '__globals__'"),
    ("{{ self._TemplateReference__context }}", "access to attribute '_TemplateReference__context'"),
    ("{{ spec.__class__ }}", "access to attribute '__class__' of 'HandoutSpec' object is unsafe"),
    ("{{ spec|attr('__class__') }}", "access to attribute '__class__' of 'HandoutSpec' object is unsafe"),
    (
        "{{ '{0.__class__}'.format(spec) }}",
        "access to attribute '__class__' of 'HandoutSpec' object is unsafe",
    ),
    ("{{ spec.__dict__ }}", "access to attribute '__dict__'"),
    ("{{ sections.append(1) }}", "access to attribute 'append' of 'list' object is unsafe"),
]


@pytest.mark.parametrize(("snippet", "message"), ESCAPES)
def test_sandbox_escapes_in_a_layout_are_refused(
    cli: Cli, tmp_path: Path, snippet: str, message: str
) -> None:
    templates = layout_dir(tmp_path, "evil", snippet)
    result = cli(
        "build", "--templates-dir", str(templates), "--layout", "evil", "-o", str(tmp_path / "h.pdf")
    )
    assert result.exit_code == 1
    line = one_line_error(result)
    assert line.startswith(
        f"Error: {templates / 'layouts' / 'evil.xml.j2'}:{MARK_LINE}: refused unsafe template code:"
    )
    assert message in line
    assert line.endswith("(layouts may not reach Python internals)")
    assert not (tmp_path / "h.pdf").exists()


@pytest.mark.parametrize(
    "snippet",
    ["{% include '/etc/passwd' %}", "{% include '../../etc/passwd' %}", "{% import '/etc/passwd' as x %}"],
)
def test_a_layout_cannot_include_files_outside_the_templates(cli: Cli, tmp_path: Path, snippet: str) -> None:
    templates = layout_dir(tmp_path, "evil", snippet)
    result = cli(
        "build", "--templates-dir", str(templates), "--layout", "evil", "-o", str(tmp_path / "h.pdf")
    )
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "etc/passwd', which is not a template in the templates directories" in line
    assert "root:" not in result.output


def test_a_partial_linked_to_a_file_outside_is_refused(cli: Cli, tmp_path: Path) -> None:
    templates = layout_dir(tmp_path, "evil", "{% include 'partials/evil.xml.j2' %}")
    (templates / "partials").mkdir()
    (templates / "partials" / "evil.xml.j2").symlink_to("/etc/passwd")
    result = cli(
        "build", "--templates-dir", str(templates), "--layout", "evil", "-o", str(tmp_path / "h.pdf")
    )
    assert result.exit_code == 1
    line = one_line_error(result)
    assert line == (
        f"Error: {templates / 'partials' / 'evil.xml.j2'}: links to a file outside the templates directory "
        "(copy the file in)"
    )


def test_a_layout_linked_to_a_file_outside_is_refused(cli: Cli, tmp_path: Path) -> None:
    layouts = tmp_path / "templates" / "layouts"
    layouts.mkdir(parents=True)
    (layouts / "evil.xml.j2").symlink_to(SUMMARY)  # a real layout, but not inside this directory
    result = cli("build", "--templates-dir", str(tmp_path / "templates"), "--layout", "evil", "--emit", "xml")
    assert result.exit_code == 1
    assert "evil.xml.j2: links to a file outside the templates directory" in one_line_error(result)


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("{{ 1 / 0 }}", "Jinja2 error: ZeroDivisionError: division by zero (check the layout's expressions)"),
        ("{{ 'a' + 1 }}", "Jinja2 error: TypeError: can only concatenate str"),
        ("{{ no_such_value }}", "'no_such_value' is undefined (check the layout's variable names)"),
        ("{% if %}", "Expected an expression"),
        ("<script>alert(1)</script>", "unknown element <script> (see docs/markup.md for the vocabulary)"),
    ],
)
def test_broken_layout_code_names_its_line(cli: Cli, tmp_path: Path, snippet: str, message: str) -> None:
    templates = layout_dir(tmp_path, "broken", snippet)
    result = cli("build", "--templates-dir", str(templates), "--layout", "broken", "--emit", "xml")
    assert result.exit_code == 1
    line = one_line_error(result)
    assert line.startswith(f"Error: {templates / 'layouts' / 'broken.xml.j2'}:{MARK_LINE}: ")
    assert message in line


# --- runaway layouts and block bodies: stopped by the budget, never a hang or a memory blow-up -------------

RUNAWAY = {
    "repeat": ("{{ 'x' * 1000000000 }}", "refused: repeating would make 1,000,000,000 items or characters"),
    "range": ("{{ range(10 ** 9) | list }}", "refused: the number 1000000000 is larger than 100,000"),
    "nested-loops": (
        "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
        "refused: loops ran more than 100,000 steps",
    ),
    "percent-width": ("{{ '%999999999s' % 1 }}", "refused: the number 999999999 is larger than 100,000"),
    "format-width": (
        "{{ '{0:>999999999}'.format(1) }}",
        "refused: the number 999999999 is larger than 100,000",
    ),
    "format-filter": (
        "{{ '%999999999s' | format(1) }}",
        "refused: the number 999999999 is larger than 100,000",
    ),
    "center": ("{{ 'x' | center(999999999) }}", "refused: the number 999999999 is larger than 100,000"),
    "method-width": ("{{ 'x'.ljust(999999999) }}", "refused: the number 999999999 is larger than 100,000"),
    "power": ("{{ 10 ** 99999 }}", "refused: 10 ** 99999 is a number with more than 4,096 bits"),
    "replace": (
        "{{ ('x' * 90000) | replace('', 'y' * 90000) }}",
        "refused: replacing would make 8,100,180,000 characters",
    ),
    "doubling": (
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
        "refused: a value of 2,097,152 items or characters (the limit is 2,000,000)",
    ),
    "fan-out": (
        "{% macro d(n) %}{% if n %}{{ d(n - 1) }}{{ d(n - 1) }}{% endif %}{% endmacro %}{{ d(40) }}",
        "refused: more than 10,000 calls (a macro or include that calls itself?)",
    ),
    "recursion": (
        "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
        "a macro or include calls itself without end",
    ),
    "self-include": (
        "{% include 'layouts/self-include.xml.j2' %}",
        "a macro or include calls itself without end",
    ),
    "output": (
        "{% for i in range(99999) %}{{ 'x' * 99999 }}{% endfor %}",
        "refused: the template wrote more than 2,000,000 characters",
    ),
}


def _limit_memory() -> None:
    limit = 3 * 1024**3  # should a guard fail, the child dies of MemoryError instead of the machine
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_bounded(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handouts", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def test_runaway_layouts_are_stopped_with_a_clear_error(tmp_path: Path) -> None:
    for name, (snippet, _) in RUNAWAY.items():
        layout_dir(tmp_path, name, snippet)
    templates = str(tmp_path / "templates")

    def build(name: str) -> subprocess.CompletedProcess[str]:
        return run_bounded(
            ["build", "--templates-dir", templates, "--layout", name, "--emit", "xml"], tmp_path
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(RUNAWAY, pool.map(build, RUNAWAY), strict=True))
    for name, (_, message) in RUNAWAY.items():
        result = results[name]
        assert result.returncode == 1, (name, result.stderr[-500:])
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (name, result.stderr[-500:])
        assert lines[0].startswith(f"Error: {Path(templates) / 'layouts' / name}.xml.j2:"), (name, lines[0])
        assert message in lines[0], (name, lines[0])
        assert "internal error" not in lines[0]


BLOCK_CASES = {
    "mro": (
        "{{ ''.__class__.__mro__ }}",
        ":13: refused unsafe template code: access to attribute '__class__'",
    ),
    "globals": ("{{ cycler.__init__.__globals__ }}", ":13: refused unsafe template code:"),
    "include": ("{% include '/etc/passwd' %}", ":13: Jinja2 error: a block cannot include, import or extend"),
    "import": ("{% import 'partials/titles.xml.j2' as t %}", ":13: Jinja2 error: a block cannot include"),
    "repeat": ("Text.\n\n{{ 'x' * 100000000 }}", ":15: refused: repeating would make 100,000,000"),
    "range": ("{% for i in range(10 ** 7) %}x{% endfor %}", ":13: refused: the number 10000000 is larger"),
    "recursion": ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", ":13: a macro or include calls itself"),
    "undefined": ("{{ spec.patient_name }}", ":13: Jinja2 error: 'spec' is undefined"),
    "zero": ("{{ 1 // 0 }}", ":13: Jinja2 error: ZeroDivisionError: integer division or modulo by zero"),
}


def test_hostile_block_bodies_are_refused_with_file_and_line(tmp_path: Path) -> None:
    """Jinja2 in an organisation's content blocks runs in the same bounded sandbox, with no loader."""
    dirs = {
        name: block_dir(tmp_path / name, f"hostile-{name}", body) for name, (body, _) in BLOCK_CASES.items()
    }

    def build(name: str) -> subprocess.CompletedProcess[str]:
        return run_bounded(["build", "--content-dir", str(dirs[name]), "--emit", "xml"], tmp_path)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(BLOCK_CASES, pool.map(build, BLOCK_CASES), strict=True))
    for name, (_, message) in BLOCK_CASES.items():
        result = results[name]
        block = dirs[name] / "en" / "about-ms" / f"hostile-{name}.md"
        assert result.returncode == 1, (name, result.stderr[-500:])
        assert result.stderr.strip().splitlines() == [result.stderr.strip()], name
        assert result.stderr.startswith(f"Error: {block}{message}"), (name, result.stderr)
        assert "root:" not in result.stderr


# --- content directories ----------------------------------------------------------------------------------


def test_markup_in_a_block_is_printed_as_text(cli: Cli, tmp_path: Path) -> None:
    body = "Plain <b>not bold</b> <img src=/etc/passwd> <a href='file:///etc/shadow'>x</a> {{ '{{' }} 7*7 }}"
    content = block_dir(tmp_path, "markup", body)
    result = cli("build", "--content-dir", str(content), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 0, result.output
    text = pdf_text((tmp_path / "h.pdf").read_bytes())
    assert "Plain <b>not bold</b> <img src=/etc/passwd>" in text
    assert "{{ 7*7 }}" in text


def test_a_one_megabyte_single_line_block_is_refused_quickly(cli: Cli, tmp_path: Path) -> None:
    content = block_dir(tmp_path, "huge", "word " * 199_000)
    result = cli("build", "--content-dir", str(content), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 1
    line = one_line_error(result)
    assert line == (
        f"Error: {content / 'en' / 'about-ms' / 'huge.md'}:13: the text is 995,001 characters long, "
        f"the limit is {MAX_BLOCK_CHARS:,} (split it into several blocks)"
    )


def test_a_block_just_under_the_limit_in_one_line_renders(cli: Cli, tmp_path: Path) -> None:
    content = block_dir(tmp_path, "long", "x" * (MAX_BLOCK_CHARS - 100))
    result = cli(
        "build", "--content-dir", str(content), "--sections", "about-ms", "-o", str(tmp_path / "h.pdf")
    )
    assert result.exit_code == 0, result.output
    assert "x" * 40 in pdf_text((tmp_path / "h.pdf").read_bytes())


def test_a_huge_question_is_stopped_when_the_handout_is_drawn(cli: Cli, tmp_path: Path) -> None:
    english = tmp_path / "content" / "en"
    english.mkdir(parents=True)
    question = "Why " + "x" * 900_000 + "?"
    (english / "questions.yaml").write_text(
        f"- id: huge\n  text: {question}\n  types: [any]\n  stages: [any]\n  audiences: [any]\n"
    )
    result = cli("build", "--content-dir", str(tmp_path / "content"), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 1
    line = one_line_error(result)
    assert f"characters, the limit is {MAX_PARAGRAPH_CHARS:,} (shorten the text it comes from)" in line


def test_a_loop_of_symbolic_links_in_a_content_dir(cli: Cli, tmp_path: Path) -> None:
    content = block_dir(tmp_path, "fine", "A fine block.")
    topic = content / "en" / "about-ms"
    (topic / "loop.md").symlink_to("loop.md")
    (topic / "here").symlink_to(".")
    (content / "en" / "up").symlink_to("..")
    result = cli("build", "--content-dir", str(content), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 1
    line = one_line_error(result)
    assert (
        line == f"Error: {topic / 'loop.md'}:1: is a symbolic link that leads nowhere (remove it or fix it)"
    )
    checked = cli("check", "--content-dir", str(content))
    assert "loop.md:1: error: is a symbolic link that leads nowhere" in checked.output
    assert "internal error" not in checked.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"---\nid: a\n\x00---\nx\n", "contains NUL bytes (save it as UTF-8 text)"),
        (b"---\nid: a\ntitle: \xff\n---\nx\n", "is not valid UTF-8 at byte 17 (save it as UTF-8)"),
        (b"---\na: &x [1]\nb: *x\n---\nx\n", ":2: anchors and aliases (&name, *name) are not allowed"),
        (b"---\na: " + b"[" * 40 + b"]" * 40 + b"\n---\nx\n", ":2: nesting deeper than 20 levels"),
        (b"", ":1: no front matter (start the file with a line `---`)"),
    ],
)
def test_hostile_block_files(cli: Cli, tmp_path: Path, content: bytes, message: str) -> None:
    topic = tmp_path / "content" / "en" / "about-ms"
    topic.mkdir(parents=True)
    (topic / "a.md").write_bytes(content)
    result = cli("build", "--content-dir", str(tmp_path / "content"), "--emit", "xml")
    assert result.exit_code == 1
    assert message in one_line_error(result)


# --- themes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("theme", "message"),
    [
        (
            "extends: base\nstyles:\n  body: big\n",
            "styles: body: must be a mapping such as {size: 12, leading: 1.35}",
        ),
        (
            "extends: base\nstyles:\n  body: {size: huge}\n",
            "styles: body: size: 'huge' is not a number from 4 to 100",
        ),
        (
            "extends: base\nstyles:\n  body: {size: 0}\n",
            "styles: body: size: 0 is not a number from 4 to 100",
        ),
        ("extends: base\ncolours:\n  text: red\n", "colours: text: 'red' is not a colour"),
        ("extends: base\npage:\n  columns: 0\n", "page: columns: 0 is not a number from 1 to 4"),
        ("extends: base\nlogo: x.png\n", "unknown key 'logo' (valid keys: extends, name, fonts"),
        (
            "extends: base\nfonts: {regular: ../../etc/passwd}\n",
            "font '../../etc/passwd' for regular not found",
        ),
        ("a: &a [1]\nb: *a\n", "anchors and aliases (&name, *name) are not allowed"),
        ("extends: standard\n", "`extends` goes round in a circle (standard -> standard)"),
    ],
)
def test_hostile_theme_files(cli: Cli, tmp_path: Path, theme: str, message: str) -> None:
    themes = tmp_path / "templates" / "themes"
    themes.mkdir(parents=True)
    (themes / "standard.yaml").write_text(theme)
    result = cli("build", "--templates-dir", str(tmp_path / "templates"), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 1
    assert message in one_line_error(result)


# --- the same layout through the other front doors ---------------------------------------------------------


def test_a_hostile_layout_fails_its_batch_row_only(cli: Cli, tmp_path: Path) -> None:
    templates = layout_dir(tmp_path, "evil", "{{ cycler.__init__.__globals__ }}")
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,layout,date\n1,summary,2026-01-05\n2,evil,2026-01-05\n")
    outdir = tmp_path / "out"
    result = cli("batch", str(manifest), "-o", str(outdir), "--templates-dir", str(templates), "--jobs", "1")
    assert result.exit_code == 1
    report = (outdir / "report.csv").read_text()
    assert (
        f"{manifest}:3: {templates / 'layouts' / 'evil.xml.j2'}:{MARK_LINE}: refused unsafe template code:"
        in report
    )
    assert sorted(p.name for p in outdir.glob("*.pdf")) == ["1-general-en.pdf"]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", ["questions.yaml", "glossary.yaml", "topics.yaml", "sources.yaml"])
def test_content_data_files_linked_outside_are_refused(cli: Cli, tmp_path: Path, name: str) -> None:
    english = tmp_path / "content" / "en"
    english.mkdir(parents=True)
    (english / name).symlink_to("/etc/passwd")
    result = cli("build", "--content-dir", str(tmp_path / "content"), "--emit", "xml")
    assert result.exit_code == 1
    line = one_line_error(result)
    assert (
        line == f"Error: {english / name}:1: links to a file outside the content directory (copy the file in)"
    )


@pytest.mark.parametrize(
    "parts", [("themes", "standard.yaml"), ("fonts", "AtkinsonHyperlegible-Regular.ttf")]
)
def test_theme_and_font_files_linked_outside_are_refused(
    cli: Cli, tmp_path: Path, parts: tuple[str, str]
) -> None:
    target = tmp_path / "templates" / parts[0] / parts[1]
    target.parent.mkdir(parents=True)
    target.symlink_to(builtin_dir("templates").joinpath(*parts))  # a real file, but not inside this directory
    result = cli("build", "--templates-dir", str(tmp_path / "templates"), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 1
    assert one_line_error(result) == (
        f"Error: {target}: links to a file outside the templates directory (copy the file in)"
    )


def test_hostile_layouts_through_the_web_form_are_400_pages(tmp_path: Path) -> None:
    """The same refusals reach a clinician as a message on the form; the server keeps serving."""
    import html
    import http.client
    import re
    import urllib.parse

    cases = {
        name: RUNAWAY[name] for name in ("repeat", "nested-loops", "recursion", "self-include", "fan-out")
    }
    cases["escape"] = ESCAPES[0]
    for name, (snippet, _) in cases.items():
        layout_dir(tmp_path, name, snippet)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "handouts",
            "serve",
            "--port",
            "0",
            "--templates-dir",
            str(tmp_path / "templates"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_limit_memory,
    )
    try:
        assert process.stdout is not None
        port = 0
        for line in process.stdout:
            found = re.search(r"Serving handouts at http://127\.0\.0\.1:(\d+)/", line)
            if found:
                port = int(found.group(1))
                break
        assert port, "the server did not start"
        for name, (_, message) in cases.items():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            body = urllib.parse.urlencode({"layout": name}).encode()
            connection.request(
                "POST", "/handout", body, {"Content-Type": "application/x-www-form-urlencoded"}
            )
            response = connection.getresponse()
            page = html.unescape(response.read().decode())
            connection.close()
            assert response.status == 400, (name, page[:300])
            assert message in page, name
            assert "Traceback" not in page
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x"])
def test_a_source_url_that_is_not_a_web_address_is_refused_at_its_line(
    cli: Cli, tmp_path: Path, url: str
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "sources.yaml").write_text(f'nmss-types:\n  title: Types\n  url: "{url}"\n')
    result = cli("build", "--content-dir", str(content), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 1
    assert one_line_error(result) == (
        f"Error: {content / 'sources.yaml'}:1: source 'nmss-types' url {url!r} must start with https:// or http://"
    )


@pytest.mark.skipif(
    not Path("/proc/kmsg").exists(), reason="needs Linux /proc/kmsg (a file whose read waits)"
)
def test_links_to_a_file_that_would_block_are_never_read(tmp_path: Path) -> None:
    """Links to /proc/kmsg anywhere in the content and template directories: refused or ignored, no hang."""
    content = block_dir(tmp_path, "fine", "A fine block.")
    (content / "en" / "kmsg").symlink_to("/proc/kmsg")
    partials = tmp_path / "templates" / "partials"
    partials.mkdir(parents=True)
    (partials / "kmsg.xml.j2").symlink_to("/proc/kmsg")
    manifest = tmp_path / "m.csv"
    manifest.write_text("id\n1\n")
    dirs = ["--content-dir", str(content), "--templates-dir", str(tmp_path / "templates")]
    for args in (
        ["build", "-o", str(tmp_path / "h.pdf")],
        ["batch", str(manifest), "-o", str(tmp_path / "out")],
    ):
        result = run_bounded([*args, *dirs], tmp_path)
        assert result.returncode == 0, result.stderr
    (content / "en" / "questions.yaml").symlink_to("/proc/kmsg")
    result = run_bounded(["build", "--emit", "xml", *dirs], tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {content / 'en' / 'questions.yaml'}:1: links to a file outside the content directory "
        "(copy the file in)\n"
    )


def test_a_hostile_standard_layout_stops_handouts_site_before_anything_is_written(
    cli: Cli, tmp_path: Path
) -> None:
    layouts = tmp_path / "templates" / "layouts"
    layouts.mkdir(parents=True)
    standard = builtin_dir("templates") / "layouts" / "standard.xml.j2"
    mark = '{% include "partials/title_block.xml.j2" %}'
    source = standard.read_text(encoding="utf-8")
    assert mark in source
    (layouts / "standard.xml.j2").write_text(
        source.replace(mark, mark + "\n<paragraph>{{ lipsum.__globals__ }}</paragraph>")
    )
    outdir = tmp_path / "site"
    args = ["--types", "rrms", "--languages", "en", "--papers", "a4", "--print-sizes", "standard", "-j", "1"]
    result = cli("site", str(outdir), *args, "--templates-dir", str(tmp_path / "templates"))
    assert result.exit_code == 1
    assert result.output.strip().endswith(
        "refused unsafe template code: access to attribute '__globals__' of 'function' object is unsafe. "
        "(layouts may not reach Python internals)"
    )
    assert "Traceback" not in result.output
    assert not outdir.exists() or not any(outdir.iterdir())
    bad = cli("site", str(outdir), "--types", "../etc")
    assert bad.exit_code == 2
    assert "--types: '../etc' is not allowed" in bad.output
