"""The shape of the package, read from its own source: layers point one way, no cycles, small modules."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "handouts"

LAYERS = {
    "cli": 5,
    "__main__": 5,
    "__init__": 5,
    "batch": 4,
    "web": 4,
    "check": 4,
    "render": 3,
    "engine": 3,
    "content": 2,
    "layout": 2,
    "pdf": 2,
    "html": 2,
}
"""cli -> front doors (batch, web, check) -> render (and the engine that caches libraries and themes) -> stages (content, layout, pdf) -> shared modules.
Every other top-level module (spec, clinic, errors, ...) is shared: layer 1."""

STAGE_ORDER = {"content": 0, "layout": 1, "pdf": 2, "html": 2}
"""Within the stages, a stage may use an earlier one's values, never a later one's. The html stage sits
beside pdf: it reads the same tree and asks the same Theme for fonts, sizes and colours."""

SHARED = {
    "cache",
    "clinic",
    "country",
    "errors",
    "escaping",
    "i18n",
    "limits",
    "normal",
    "paths",
    "spec",
    "vocabulary",
    "write",
    "xmltree",
    "yamlfile",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(path: Path, names: set[str]) -> Iterator[tuple[str, int, bool]]:
    """(module, line, at_top) for every import of one of our modules, wherever it is in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        for target in targets:
            if target in names and target != "handouts":
                yield target, node.lineno, id(node) in top


def graph() -> dict[str, set[str]]:
    found = modules()
    names = set(found)
    return {name: {target for target, _, _ in imported(path, names)} for name, path in found.items()}


def unit(module: str) -> str:
    """The subpackage or top-level module a module belongs to: handouts.pdf.story -> pdf."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer(module: str) -> int:
    return LAYERS.get(unit(module), 1)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in edges.get(node, ()):
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_top_level_holds_only_shared_modules_and_stage_packages() -> None:
    top = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__", "__main__", "render", "engine"}
    assert top == SHARED
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert packages == {"batch", "check", "cli", "content", "html", "layout", "pdf", "web"}


def test_dependencies_point_from_the_command_line_down_to_the_shared_modules() -> None:
    wrong = [
        f"{source} (layer {layer(source)}) imports {target} (layer {layer(target)})"
        for source, targets in graph().items()
        for target in targets
        if layer(target) > layer(source)
        or (layer(target) == layer(source) == 4 and unit(target) != unit(source))
    ]
    assert wrong == []


def test_a_stage_uses_only_earlier_stages() -> None:
    wrong = [
        f"{source} imports {target}"
        for source, targets in graph().items()
        for target in targets
        if unit(source) in STAGE_ORDER
        and unit(target) in STAGE_ORDER
        and STAGE_ORDER[unit(target)] > STAGE_ORDER[unit(source)]
    ]
    assert wrong == []


@pytest.mark.parametrize("stage", ["pdf", "html"])
def test_the_output_stages_read_only_the_tree_and_the_theme(stage: str) -> None:
    wrong = [
        f"{source} imports {target}"
        for source, targets in graph().items()
        for target in targets
        if unit(source) == stage
        and unit(target) in {"content", "layout", "render", "spec", "clinic", "engine"}
    ]
    assert wrong == []
    code = (
        f"import sys, handouts.{stage}.render; print(sorted({{'jinja2', 'markdown_it'}} & set(sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_no_import_cycles_between_modules() -> None:
    assert cycles(graph()) == []


def test_no_import_cycles_between_subpackages() -> None:
    edges: dict[str, set[str]] = {}
    for source, targets in graph().items():
        edges.setdefault(unit(source), set()).update(unit(t) for t in targets if unit(t) != unit(source))
    assert cycles(edges) == []


DEFERRED = {("handouts.render", "handouts.html.render")}
"""The only late imports of our modules outside the command line: `render_handout_html` imports the HTML
stage when it draws the first page, so a PDF build (a cold `handouts build`) never loads it. Under
`if TYPE_CHECKING:` the same module is named for its types only."""


def test_imports_sit_at_the_top_outside_the_command_line() -> None:
    """The command line defers its commands' imports to keep `handouts --help` fast; apart from the
    listed deferrals, nothing else does."""
    found = modules()
    late = [
        f"{name}:{line} imports {target}"
        for name, path in found.items()
        if unit(name) not in {"cli", "__init__"}
        for target, line, at_top in imported(path, set(found))
        if not at_top and (name, target) not in DEFERRED
    ]
    assert late == []


@pytest.mark.parametrize(
    ("command", "absent"),
    [
        (
            ["build", "-o", "-"],
            {
                "flask",
                "waitress",
                "textstat",
                "handouts.check",
                "handouts.batch",
                "xml.sax.saxutils",
                "urllib.request",
                "reportlab.graphics.barcode",
                "pikepdf",
                "lxml",
                "bidi",  # only a right-to-left run of user text needs it
                "handouts.html",  # only a web page needs the HTML stage
            },
        ),
        (["build", "--emit", "html", "-o", "-"], {"flask", "waitress", "textstat", "handouts.batch"}),
        (["list"], {"flask", "waitress", "textstat", "pikepdf", "babel"}),
        (["--help"], {"flask", "waitress", "textstat", "pikepdf", "jinja2", "reportlab"}),
    ],
)
def test_a_command_imports_only_what_it_needs(command: list[str], absent: set[str]) -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from handouts.cli import main\n"
        f"result = CliRunner().invoke(main, {command!r})\n"
        "assert result.exit_code == 0, result.output\n"
        f"print(sorted({absent!r} & set(sys.modules)))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip().splitlines()[-1] == "[]"


def test_a_second_build_reads_from_the_cache_folder_what_would_need_babel_or_pillow(tmp_path: Path) -> None:
    """A clinic with a logo: the long date's pattern and the logo's size and pixels come from the cache
    folder once the first build has stored them."""
    from PIL import Image

    Image.new("RGB", (240, 80), "#1F4E79").save(tmp_path / "logo.png")
    (tmp_path / "clinic.yaml").write_text("name: Riverside MS Centre\nlogo: logo.png\n", encoding="utf-8")
    # ReportLab imports PIL.Image itself; opening a PNG or JPEG loads Pillow's image plugins
    absent = {"babel", "PIL.PngImagePlugin", "PIL.JpegImagePlugin", "bidi", "handouts.html", "handouts.batch"}
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from handouts.cli import main\n"
        "result = CliRunner().invoke(main, ['build', '--clinic', 'clinic.yaml', '--date', '2026-01-05',"
        " '--url', 'https://example.org/ms', '-o', 'out.pdf'])\n"
        "assert result.exit_code == 0, result.output\n"
        f"print(sorted({absent!r} & set(sys.modules)))\n"
    )
    env = {**os.environ, "HANDOUTS_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=tmp_path
        )
        for _ in range(2)
    ]
    assert "babel" in runs[0].stdout  # the first build asked Babel and Pillow, and stored what they said
    assert "PIL.PngImagePlugin" in runs[0].stdout
    assert runs[1].stdout.strip().splitlines()[-1] == "[]"


def test_modules_classes_and_functions_stay_small() -> None:
    """No module over 450 lines, no class over 150, at most three functions over 40 outside the CLI."""
    big_modules, big_classes, long_functions = [], [], []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 450:
            big_modules.append(name)
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.ClassDef | ast.FunctionDef):
                continue
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if isinstance(node, ast.ClassDef) and node.end_lineno and node.end_lineno - first + 1 > 150:
                big_classes.append(f"{name}.{node.name}")
            if (
                isinstance(node, ast.FunctionDef)
                and unit(name) != "cli"
                and node.end_lineno
                and node.end_lineno - first + 1 > 40
            ):
                long_functions.append(f"{name}.{node.name}")
    assert big_modules == []
    assert big_classes == []
    assert len(long_functions) <= 3, long_functions


def test_the_public_api_names_what_it_exports_and_loads_it_on_use() -> None:
    import handouts

    assert set(handouts.__all__) == {"__version__", *handouts._PUBLIC}
    code = "import sys, handouts; print('handouts.render' in sys.modules); handouts.render_handout; print('handouts.render' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == ["False", "True"]
