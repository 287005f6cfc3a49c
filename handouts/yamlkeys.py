"""Turn a stream of YAML parser events into a problem when one mapping holds the same key twice."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml


@dataclass
class _Mapping:
    seen: dict[str, int] = field(default_factory=dict)
    expect_key: bool = True


class KeyTracker:
    """Follows mappings and sequences as events arrive; `see` returns a message for a repeated key.

    PyYAML keeps the last of two equal keys without a word, so a spec with `type: rrms` and, further
    down, `type: ppms` would print a PPMS handout.
    """

    def __init__(self) -> None:
        self._stack: list[_Mapping | None] = []  # None for a sequence

    def see(self, event: yaml.Event, line: int) -> str | None:
        """Record one event (its line counted from 1); a message if it repeats a key of its mapping."""
        if isinstance(event, yaml.CollectionEndEvent):
            if self._stack:
                self._stack.pop()
            return None
        if not isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent | yaml.AliasEvent):
            return None
        problem = self._take_slot(event, line)
        if isinstance(event, yaml.MappingStartEvent):
            self._stack.append(_Mapping())
        elif isinstance(event, yaml.SequenceStartEvent):
            self._stack.append(None)
        return problem

    def _take_slot(self, event: yaml.Event, line: int) -> str | None:
        """A node fills the next key or value of the mapping it is in."""
        parent = self._stack[-1] if self._stack else None
        if parent is None:
            return None
        is_key, parent.expect_key = parent.expect_key, not parent.expect_key
        if not is_key or not isinstance(event, yaml.ScalarEvent):
            return None
        key = str(event.value)
        if key in parent.seen:
            shown = key if len(key) <= 40 else key[:37] + "..."
            return (
                f"the key {shown!r} appears twice, on lines {parent.seen[key]} and {line} (keep one of them)"
            )
        parent.seen[key] = line
        return None
