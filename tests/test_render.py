"""render_handout pauses the cycle collector only while it renders, and leaves it as it found it."""

from __future__ import annotations

import gc
import threading

from handouts.engine import Engine
from handouts.render import collector_paused, render_handout

from .conftest import make_spec


def test_the_collector_is_back_on_after_a_render_and_after_a_failure(engine: Engine) -> None:
    assert gc.isenabled()
    render_handout(make_spec(), engine)
    assert gc.isenabled()
    try:
        with collector_paused():
            assert not gc.isenabled()
            raise ValueError("a failing render")
    except ValueError:
        pass
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off(engine: Engine) -> None:
    gc.disable()
    try:
        render_handout(make_spec(), engine)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_renders_share_one_pause() -> None:
    inside, release = threading.Event(), threading.Event()

    def long_render() -> None:
        with collector_paused():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=long_render)
    thread.start()
    inside.wait(10)
    with collector_paused():
        pass
    assert not gc.isenabled()  # the other render is still running
    release.set()
    thread.join(10)
    assert gc.isenabled()
