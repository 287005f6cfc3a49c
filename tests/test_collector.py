"""The cycle collector's schedule: off for a one-shot `handouts` process, back on for a long-running one."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main


def collector_at_exit(args: list[str], cwd: Path) -> tuple[bool, bool]:
    """Whether the collector was on, and whether objects were frozen, when a new process ended."""
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('collector', gc.isenabled(), gc.get_freeze_count() > 0))\n"
        f"sys.argv = ['handouts', *{args!r}]\n"
        "from handouts.cli import run\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, check=False)
    last = done.stdout.strip().splitlines()[-1].split()
    assert last[0] == "collector", done.stderr
    return last[1] == "True", last[2] == "True"


def test_a_build_process_runs_without_the_collector_and_leaves_nothing_for_it_at_exit(tmp_path: Path) -> None:
    assert collector_at_exit(["build", "-o", "out.pdf"], tmp_path) == (False, True)
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("command", ["batch", "serve", "site", "check"])
def test_a_long_running_command_gets_the_collector_back(tmp_path: Path, command: str) -> None:
    assert collector_at_exit([command, "--help"], tmp_path) == (True, True)


def test_calling_the_command_line_in_process_leaves_the_collector_alone(tmp_path: Path) -> None:
    frozen = gc.get_freeze_count()
    result = CliRunner().invoke(main, ["build", "-o", str(tmp_path / "out.pdf")])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
