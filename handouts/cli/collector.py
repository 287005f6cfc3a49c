"""Turn the command a `handouts` process runs into a schedule for Python's cycle collector.

Starting a command imports ReportLab, Jinja2, Click and the package (hundreds of thousands of objects
that live until the process ends). With the collector on, it scans them again and again while they are
made (about 25 ms of a cold `handouts build`), and once more at exit (about 40 ms), to free nothing.
So the process entry point (`run`, never an in-process `main()` call such as a test's) starts with the
collector off. A one-shot command (`build`, `list`) keeps it off to the end: it makes one handout, whose
render already runs with the collector paused (`render.collector_paused`), so the only garbage left
uncollected is one render's reference cycles, freed with the process; at exit `gc.freeze()` moves every
object out of the collector's sight, so the final collection scans nothing. Any other command (a
batch, the web server, a site, a check) runs long: once chosen, the objects made so far are frozen
(they are the modules and caches that live until exit anyway) and the collector comes back on, so it
watches only what the command makes.
"""

from __future__ import annotations

import gc

ONE_SHOT = frozenset({"build", "list"})
"""Commands that make one thing and end: the collector stays off for them."""

_paused_at_start = [False]


def start_quietly() -> None:
    """At the process entry point: the collector off while the command line starts."""
    _paused_at_start[0] = gc.isenabled()
    gc.disable()


def command_chosen(name: str | None) -> None:
    """Once the command is known: the collector back on (over a frozen start) unless it is one-shot."""
    if _paused_at_start[0] and name not in ONE_SHOT:
        _paused_at_start[0] = False
        gc.freeze()
        gc.enable()


def end_quietly() -> None:
    """At the end of a one-shot process: nothing left for the exit's collection to scan."""
    if _paused_at_start[0]:
        gc.freeze()
