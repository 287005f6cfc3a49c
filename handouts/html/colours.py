"""Turn theme and clinic colours into text colours that keep 7:1 contrast in light and dark mode."""

from __future__ import annotations

from handouts.pdf.themes import contrast_ratio

TEXT_CONTRAST = 7.0
"""WCAG AAA for normal text: every text colour on the page keeps at least this ratio."""


def _mix(colour: str, toward: str, amount: float) -> str:
    a = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    b = [int(toward.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(x + (y - x) * amount):02X}" for x, y in zip(a, b, strict=True))


def readable(colour: str, backgrounds: tuple[str, ...], ratio: float = TEXT_CONTRAST) -> str:
    """`colour` itself if it reaches `ratio` on every background, else the nearest mix toward black or
    white (whichever the backgrounds are furthest from) that does."""
    if all(contrast_ratio(colour, b) >= ratio for b in backgrounds):
        return colour.upper()
    light_backgrounds = sum(contrast_ratio("#000000", b) > contrast_ratio("#FFFFFF", b) for b in backgrounds)
    toward = "#000000" if light_backgrounds == len(backgrounds) else "#FFFFFF"
    for step in range(1, 101):
        mixed = _mix(colour, toward, step / 100)
        if all(contrast_ratio(mixed, b) >= ratio for b in backgrounds):
            return mixed
    return toward
