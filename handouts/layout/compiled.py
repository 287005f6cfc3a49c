"""Turn Jinja2 template sources into code objects once, kept in the user cache folder for later processes.

Layouts go through Jinja2's own bytecode-cache interface; block bodies are compiled with
`from_string`, which that interface does not cover, so they are stored here by a hash of their text.
Every entry is named by the code generator that made it (this module, the sandbox and Jinja2's
version), so a changed generator never runs old code. See handouts/cache.py for how entries are kept.
"""

from __future__ import annotations

import marshal
import types
from typing import Any

import jinja2
from jinja2.bccache import Bucket

from handouts.cache import entry_key, read_entry, source_fingerprint, write_entry
from handouts.layout import sandbox

_TEMPLATE_MARKERS = ("{{", "{%", "{#", "\r")


def generator_fingerprint(environment: jinja2.Environment) -> str:
    """What decides the code Jinja2 writes: its version, our code generator and the environment's syntax."""
    options = (
        environment.block_start_string,
        environment.variable_start_string,
        environment.comment_start_string,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.keep_trailing_newline,
        environment.newline_sequence,
        str(environment.autoescape),
        sorted(environment.extensions),
        getattr(environment, "newstyle_gettext", False),
    )
    return f"{jinja2.__version__}\0{source_fingerprint(__file__, sandbox.__file__)}\0{options!r}"


class CodeCache(jinja2.BytecodeCache):
    """Jinja2's bytecode cache for layouts, stored through handouts.cache (checked, atomic, private)."""

    def __init__(self, environment: jinja2.Environment) -> None:
        self.environment = environment
        self._fingerprint = ""

    def _key(self, bucket: Bucket) -> str:
        if not self._fingerprint:
            self._fingerprint = generator_fingerprint(self.environment)
        return entry_key("layout", self._fingerprint, bucket.key)

    def load_bytecode(self, bucket: Bucket) -> None:
        data = read_entry(self._key(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)  # a different source checksum leaves the bucket empty

    def dump_bytecode(self, bucket: Bucket) -> None:
        write_entry(self._key(bucket), bucket.bytecode_to_string())


def is_plain_text(source: str) -> bool:
    """True when `source` holds no Jinja2 at all, so rendering it gives back the same text."""
    return not any(marker in source for marker in _TEMPLATE_MARKERS)


def template_from_string(environment: jinja2.Environment, source: str) -> jinja2.Template:
    """`environment.from_string(source)`, with the compiled code read from or written to the cache."""
    key = entry_key("block", generator_fingerprint(environment), source)
    code = _load_code(read_entry(key))
    if code is None:
        code = environment.compile(source)
        write_entry(key, marshal.dumps(code))
    template: Any = environment.template_class.from_code(
        environment, code, environment.make_globals(None), None
    )
    return template  # type: ignore[no-any-return]


def _load_code(data: bytes | None) -> types.CodeType | None:
    if data is None:
        return None
    try:
        code = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, types.CodeType) else None
