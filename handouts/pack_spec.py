"""Turn the `sheets` value of a flag, spec file, manifest cell or form into a tuple of sheet ids."""

from __future__ import annotations

import json
import re
from typing import Any

_SHEET_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def parse_sheet_ids(value: Any) -> tuple[tuple[str, ...], tuple[str, str] | None]:
    """Sheet ids from a list, a JSON list, or text split on `,` or `|`; with (what, how) when invalid.

    Repeated ids are printed once, in their first place.
    """
    if value is None or value == "" or value == []:
        return (), None
    items: Any = value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except json.JSONDecodeError:
                return (), ("is not a JSON list", 'write it as ["fatigue", "mood"] or fatigue|mood')
        else:
            items = re.split(r"[,|]", text)
    if not isinstance(items, list | tuple):
        return (), ("must be a list of sheet ids", "for example: fatigue, pregnancy")
    ids = tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))
    bad = [i for i in ids if not _SHEET_ID.match(i)]
    if bad:
        shown = bad[0] if len(bad[0]) <= 40 else bad[0][:37] + "..."
        return (), (f"{shown!r} is not a sheet id", "run `handouts list` to see them")
    return ids, None
