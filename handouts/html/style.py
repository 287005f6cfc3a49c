"""Turn a theme, a clinic accent colour and the page's fonts into the page's one inline stylesheet."""

from __future__ import annotations

from importlib import resources

from handouts.html.colours import readable
from handouts.pdf.themes import Theme

DARK = {
    "text": "#F2F2F2",
    "muted": "#D9D9D9",
    "link": "#A9C9FF",
    "background": "#141414",
    "callout_background": "#262626",
    "callout_border": "#A6A6A6",
    "rule": "#A6A6A6",
}
"""The dark-mode palette: every text colour at least 7:1 on both dark backgrounds (the tests compute it)."""

PAGE_CSS = resources.files("handouts.html").joinpath("page.css").read_text(encoding="utf-8")
"""The fixed part of the stylesheet: layout, dark mode and print rules, all in terms of custom properties."""

FONT_FAMILY = "HandoutText"
"""The name the inlined font goes by inside the page, so no installed font of the same name is used instead."""


def rem(theme: Theme, style: str) -> str:
    """A theme size in points as rem, 12 pt being the browser's default 1rem, so text zoom scales it."""
    return f"{float(theme.data['styles'][style].get('size', 12)) / 12:.4g}rem"


def palette(theme: Theme, accent: str) -> tuple[dict[str, str], dict[str, str]]:
    """Light and dark colours; the accent is kept for decoration and made readable (7:1) for text."""
    light = {name: theme.colour_hex(name) for name in DARK}
    light["accent"] = accent
    light["accent_text"] = readable(accent, (light["background"], light["callout_background"]))
    dark = dict(DARK)
    dark["accent"] = readable(accent, (dark["background"],), 3.0)
    dark["accent_text"] = readable(accent, (dark["background"], dark["callout_background"]))
    return light, dark


def _variables(colours: dict[str, str]) -> str:
    return " ".join(f"--{name.replace('_', '-')}: {value};" for name, value in colours.items())


def stylesheet(theme: Theme, accent: str, fonts: dict[str, str]) -> str:
    """The page's CSS: the inlined fonts, the theme's sizes and colours as custom properties (light, dark
    and print), then the fixed layout of page.css."""
    light, dark = palette(theme, accent)
    faces = "".join(
        f"@font-face {{ font-family: {FONT_FAMILY}; font-weight: {weight}; font-style: normal; "
        f"font-display: swap; src: url({fonts[role]}) format('woff2'); }}\n"
        for role, weight in (("regular", 400), ("bold", 700))
        if role in fonts
    )
    family = f"{FONT_FAMILY}, " if fonts else ""
    sizes = {
        f"size_{name}": rem(theme, name)
        for name in ("body", "title", "subtitle", "line", "h2", "h3", "h4", "small")
    }
    sizes["print_size_body"] = f"{float(theme.data['styles']['body'].get('size', 12)):g}pt"
    sizes["font_family"] = f'{family}"Atkinson Hyperlegible", system-ui, sans-serif'
    return (
        f"{faces}:root {{ {_variables(sizes)} {_variables(light)} color-scheme: light dark; }}\n"
        f"@media (prefers-color-scheme: dark) {{ :root {{ {_variables(dark)} }} }}\n"
        f"@media print {{ :root {{ {_variables(light)} }} }}\n" + PAGE_CSS
    )
