"""Shared fixtures: the built-in engine, a small fixture library, PDF readers, the CLI runner."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pypdf
import pytest
from click.testing import CliRunner, Result

# Every test (and every process a test starts) caches in its own folder, never the user's.
os.environ["HANDOUTS_CACHE_DIR"] = tempfile.mkdtemp(prefix="handouts-test-cache-")

from handouts.cli import main
from handouts.engine import Engine
from handouts.paths import builtin_dir
from handouts.render import render_handout
from handouts.spec import HandoutSpec, parse_spec

FIXTURES = Path(__file__).parent / "fixtures"
FIXED_DATE = dt.date(2026, 11, 26)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        help="Also run the tests marked slow (every tailoring, a 100,000-row manifest); CI does.",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests run with --run-slow, or when `-m` names the slow marker; otherwise they are skipped."""
    if config.getoption("--run-slow") or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.from_dirs()


@pytest.fixture(scope="session")
def fixture_engine() -> Engine:
    """Only the small fixture library (no built-in blocks), with the built-in templates."""
    return Engine(content_dirs=(FIXTURES / "content",), templates_dirs=(builtin_dir("templates"),))


def make_spec(**values: Any) -> HandoutSpec:
    values.setdefault("date", FIXED_DATE.isoformat())
    return parse_spec(values, "test")


@pytest.fixture(scope="session")
def render(engine: Engine) -> Callable[..., bytes]:
    def _render(**values: Any) -> bytes:
        return render_handout(make_spec(**values), engine).pdf

    return _render


def pdf_text(pdf: bytes) -> str:
    """Extracted text of every page, whitespace collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_chars(pdf: bytes) -> list[dict[str, Any]]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [char for page in doc.pages for char in page.chars]


@pytest.fixture
def cli() -> Callable[..., Result]:
    runner = CliRunner()

    def _invoke(*args: str, **kwargs: Any) -> Result:
        return runner.invoke(main, list(args), catch_exceptions=False, **kwargs)

    return _invoke
