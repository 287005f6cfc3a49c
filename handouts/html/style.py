"""Turn a theme, a clinic accent colour and the page's fonts into the page's one inline stylesheet."""

from __future__ import annotations

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
    """The page's CSS: fonts, colours, sizes from the theme, dark mode, and a print stylesheet."""
    light, dark = palette(theme, accent)
    faces = "".join(
        f"@font-face {{ font-family: {FONT_FAMILY}; font-weight: {weight}; font-style: normal; "
        f"font-display: swap; src: url({fonts[role]}) format('woff2'); }}\n"
        for role, weight in (("regular", 400), ("bold", 700))
        if role in fonts
    )
    family = f"{FONT_FAMILY}, " if fonts else ""
    sizes = {name: rem(theme, name) for name in ("body", "title", "subtitle", "line", "h2", "h3", "h4", "small")}
    return f"""{faces}:root {{ {_variables(light)} color-scheme: light dark; }}
@media (prefers-color-scheme: dark) {{ :root {{ {_variables(dark)} }} }}
*, *::before, *::after {{ box-sizing: border-box; }}
html {{ -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }}
body {{ margin: 0; color: var(--text); background: var(--background);
  font-family: {family}"Atkinson Hyperlegible", system-ui, sans-serif;
  font-size: {sizes['body']}; line-height: 1.5; overflow-wrap: break-word; }}
.page {{ max-width: 42em; margin: 0 auto; padding: 0 1rem; }}
.skip {{ position: absolute; left: 1rem; top: -10rem; padding: 0.5rem 1rem; background: var(--background);
  color: var(--link); font-weight: 700; z-index: 1; }}
.skip:focus {{ top: 0.5rem; }}
a {{ color: var(--link); text-decoration: underline; text-underline-offset: 0.15em; overflow-wrap: anywhere; }}
:focus-visible {{ outline: 3px solid var(--text); outline-offset: 3px; }}
header.masthead {{ border-bottom: 0.35rem solid var(--accent); padding: 1.25rem 0 0.75rem; margin-bottom: 1rem; }}
.logo {{ display: block; height: 3.5rem; width: auto; max-width: 100%; margin-bottom: 0.5rem; }}
h1, h2, h3, h4 {{ line-height: 1.25; margin: 1.5em 0 0.5em; }}
h1 {{ font-size: {sizes['title']}; color: var(--accent-text); margin: 0 0 0.25em; }}
h2 {{ font-size: {sizes['h2']}; color: var(--accent-text); }}
h3 {{ font-size: {sizes['h3']}; }}
h4 {{ font-size: {sizes['h4']}; }}
.subtitle {{ font-size: {sizes['subtitle']}; margin: 0 0 0.5rem; }}
.line {{ font-size: {sizes['line']}; color: var(--muted); margin: 0.15rem 0; }}
.small, footer {{ font-size: {sizes['small']}; color: var(--muted); }}
.offer {{ font-weight: 700; }}
p {{ margin: 0 0 0.75em; }}
ul, ol {{ padding-left: 1.5em; margin: 0 0 0.75em; }}
li {{ margin: 0 0 0.35em; }}
nav.contents, nav.versions {{ border: 2px solid var(--callout-border); padding: 0.5rem 1rem; margin: 1rem 0; }}
nav h2 {{ margin-top: 0.5rem; font-size: {sizes['h3']}; }}
.callout {{ background: var(--callout-background); border-left: 0.35rem solid var(--callout-border);
  padding: 0.75rem 1rem; margin: 1rem 0; }}
.callout > :first-child {{ margin-top: 0; }}
.callout > :last-child {{ margin-bottom: 0; }}
.keypoints {{ border-left-color: var(--accent); }}
.checklist {{ list-style: none; padding: 0; }}
.checklist li {{ display: flex; gap: 0.6rem; align-items: flex-start; margin: 0 0 0.6rem; }}
.checklist input {{ flex: none; width: 1.5rem; height: 1.5rem; margin: 0.1rem 0 0; accent-color: var(--accent-text); }}
.checklist label {{ cursor: pointer; }}
dl {{ margin: 0 0 0.75em; }}
dt {{ font-weight: 700; margin-top: 0.5em; }}
dd {{ margin: 0 0 0.25em 1.5em; }}
.sources {{ font-size: {sizes['small']}; }}
.write-in-label {{ font-weight: 700; margin-bottom: 0.25rem; }}
.lines {{ display: none; }}
table {{ border-collapse: collapse; margin: 0 0 1em; }}
th, td {{ border: 1px solid var(--callout-border); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }}
footer {{ border-top: 2px solid var(--rule); margin-top: 2.5rem; padding: 0.5rem 0 2rem; }}
@media print {{
  :root {{ {_variables(light)} color-scheme: light; }}
  body {{ font-size: {float(theme.data['styles']['body'].get('size', 12)):g}pt; color: #000; background: #fff; }}
  .page {{ max-width: none; padding: 0; }}
  .skip, nav {{ display: none; }}
  a {{ color: #000; }}
  h2, h3, h4 {{ break-after: avoid; page-break-after: avoid; }}
  .callout, .checklist li, figure {{ break-inside: avoid; page-break-inside: avoid; }}
  .sources a::after {{ content: " (" attr(href) ")"; }}
  .checklist li {{ flex-wrap: wrap; }}
  .lines {{ display: block; flex-basis: 100%; width: 100%; }}
  .lines span {{ display: block; height: 1.8em; border-bottom: 1px solid #000; }}
}}
@page {{ margin: 15mm; }}
"""
