"""Turn timed tagged and untagged renders of the same handouts into a table of what tagging costs.

    python benchmarks/tagging.py              # 15 rounds of each handout
    python benchmarks/tagging.py --rounds 5   # a quicker look

Tagged and untagged renders alternate, so a busy machine slows both alike; each figure is a median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handouts.engine import Engine  # noqa: E402
from handouts.render import render_handout  # noqa: E402
from handouts.spec import HandoutSpec, parse_spec  # noqa: E402

GOAL = 1.3
HANDOUTS: dict[str, dict[str, Any]] = {
    "standard": {},
    "standard rrms, notes, QR": {
        "type": "rrms",
        "notes": ["Next MRI in March"],
        "url": "https://example.org/ms",
    },
    "standard large print": {"print": "large"},
    "standard Spanish": {"language": "es", "allow_fallback": True},
    "summary": {"layout": "summary"},
    "summary large print": {"layout": "summary", "print": "large"},
}


@dataclass(frozen=True)
class Timing:
    """Median CPU seconds per render of one handout, tagged and untagged, and its page count."""

    name: str
    pages: int
    untagged: float
    tagged: float

    @property
    def ratio(self) -> float:
        return self.tagged / self.untagged


def spec_for(values: dict[str, Any], tagged: bool) -> HandoutSpec:
    return parse_spec({**values, "date": "2026-11-26", "tags": tagged}, "benchmark")


def seconds(spec: HandoutSpec, engine: Engine) -> tuple[float, int]:
    start = time.process_time()
    pages = render_handout(spec, engine).pages
    return time.process_time() - start, pages


def time_handout(name: str, values: dict[str, Any], engine: Engine, rounds: int) -> Timing:
    """Alternate tagged and untagged renders of one handout; the first pair warms caches and is dropped."""
    specs = (spec_for(values, False), spec_for(values, True))
    runs: dict[bool, list[float]] = {False: [], True: []}
    pages = 0
    for _ in range(rounds + 1):
        for spec in specs:
            elapsed, pages = seconds(spec, engine)
            runs[spec.tagged].append(elapsed)
    return Timing(name, pages, statistics.median(runs[False][1:]), statistics.median(runs[True][1:]))


def table(timings: list[Timing]) -> str:
    lines = [f"{'handout':<28} {'pages':>5} {'untagged ms':>12} {'tagged ms':>10} {'ratio':>6}"]
    for t in timings:
        lines.append(
            f"{t.name:<28} {t.pages:>5} {t.untagged * 1000:>12.1f} {t.tagged * 1000:>10.1f} {t.ratio:>6.2f}"
        )
    untagged = sum(t.untagged for t in timings)
    tagged = sum(t.tagged for t in timings)
    pages = sum(t.pages for t in timings)
    lines.append(
        f"{'all':<28} {pages:>5} {untagged * 1000:>12.1f} {tagged * 1000:>10.1f} {tagged / untagged:>6.2f}"
    )
    lines.append("")
    lines.append(f"tagged pages per second on one core: {pages / tagged:.0f}")
    verdict = "within" if tagged / untagged <= GOAL else "OVER"
    lines.append(f"tagged/untagged {tagged / untagged:.2f}: {verdict} the {GOAL}x goal")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=15, help="timed renders of each handout, tagged and untagged"
    )
    args = parser.parse_args()
    engine = Engine.from_dirs()
    timings = [time_handout(name, values, engine, args.rounds) for name, values in HANDOUTS.items()]
    sys.stdout.write(table(timings) + "\n")


if __name__ == "__main__":
    main()
