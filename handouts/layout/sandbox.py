"""Turn Jinja2 templates into bounded renders: Jinja2's immutable sandbox plus a budget of loop steps, calls and sizes."""

from __future__ import annotations

import contextlib
import math
import re
import string
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from handouts.limits import (
    MAX_HANDOUT_XML_CHARS,
    MAX_TEMPLATE_CALLS,
    MAX_TEMPLATE_LOOP_STEPS,
    MAX_TEMPLATE_NUMBER,
    MAX_TEMPLATE_TEXT_CHARS,
)

_SIZED = (str, list, tuple, dict, set, frozenset)
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")
_WIDTH_FILTERS = ("center", "indent", "format", "slice", "batch", "wordwrap", "truncate", "replace", "join")


class BudgetError(SecurityError):
    """A template asked for more work or memory than a handout needs (a SecurityError, so it is refused)."""


@dataclass
class _Budget:
    steps: int = 0
    calls: int = 0


_BUDGET: ContextVar[_Budget | None] = ContextVar("handouts_template_budget", default=None)


@contextlib.contextmanager
def template_budget() -> Iterator[None]:
    """One budget for everything rendered inside (a layout and the blocks it shows); nested uses share it."""
    if _BUDGET.get() is not None:
        yield
        return
    token = _BUDGET.set(_Budget())
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _budget() -> _Budget:
    budget = _BUDGET.get()
    return _Budget() if budget is None else budget  # render_bounded() always sets one


def _refuse(what: str) -> BudgetError:
    return BudgetError(what)


def _check_number(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_TEMPLATE_NUMBER:
        raise _refuse(f"the number {value} is larger than {MAX_TEMPLATE_NUMBER:,}")


def checked_size(value: Any) -> Any:
    """Return `value`, refusing text or a collection longer than MAX_TEMPLATE_TEXT_CHARS."""
    if isinstance(value, _SIZED) and len(value) > MAX_TEMPLATE_TEXT_CHARS:
        raise _refuse(
            f"a value of {len(value):,} items or characters (the limit is {MAX_TEMPLATE_TEXT_CHARS:,})"
        )
    return value


def _check_percent(fmt: str, args: Any) -> None:
    """`'%999999999s' % x` would allocate before anything could check it: read the widths first."""
    for match in _PERCENT_SPEC.finditer(fmt):
        for number in match.groups():
            if number and number != "*":
                _check_number(int(number))
    for arg in args if isinstance(args, tuple) else (args,):
        _check_number(arg)


def _check_format_string(fmt: str) -> None:
    """`'{0:>999999999}'.format(x)`: read the widths of every field before formatting."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # str.format raises the same error itself
    for _, _, spec, _ in fields:
        for number in re.findall(r"\d+", spec or ""):
            _check_number(int(number))
        if spec and "{" in spec:
            _check_format_string(spec)


def _repeat_size(left: Any, right: Any) -> int:
    if isinstance(left, _SIZED) and isinstance(right, int):
        return len(left) * right
    if isinstance(right, _SIZED) and isinstance(left, int):
        return len(right) * left
    return 0


def _check_pow(left: Any, right: Any) -> None:
    numbers = isinstance(left, int | float) and isinstance(right, int | float)
    if numbers and abs(left) > 1 and right > 0 and right * math.log2(abs(left)) > 4096:
        raise _refuse(f"{left} ** {right} is a number with more than 4,096 bits")


def _check_replace(text: Any, old: Any, new: Any) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        hits = len(text) + 1 if old == "" else text.count(old)
        if len(text) + hits * len(new) > MAX_TEMPLATE_TEXT_CHARS:
            raise _refuse(f"replacing would make {len(text) + hits * len(new):,} characters")


class _GuardedCodeGenerator(CodeGenerator):
    """Compiles loops and `~` concatenation so that they go through the environment's checks."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        if not _is_guarded(node.iter):  # {% for x in seq %} becomes {% for x in guarded_iter(seq) %}
            guard = nodes.EnvironmentAttribute("guarded_iter", lineno=node.iter.lineno)
            node.iter = nodes.Call(guard, [node.iter], [], None, None, lineno=node.iter.lineno)
            node.iter.set_environment(self.environment)
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_size(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox (no Python internals, no changing lists or dicts) with a work budget.

    Per handout: at most MAX_TEMPLATE_LOOP_STEPS loop steps and MAX_TEMPLATE_CALLS calls; no number
    larger than MAX_TEMPLATE_NUMBER passed to a function or filter; no text or list built larger than
    MAX_TEMPLATE_TEXT_CHARS by `*`, `+`, `~`, `%`, `**`, a method or a filter.
    """

    code_generator_class = _GuardedCodeGenerator
    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = _bounded_range
        for name in _WIDTH_FILTERS:
            if name in self.filters:
                self.filters[name] = _bounded_filter(self.filters[name], name)

    def guarded_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        budget = _budget()
        for item in iterable:
            budget.steps += 1
            if budget.steps > MAX_TEMPLATE_LOOP_STEPS:
                raise _refuse(f"loops ran more than {MAX_TEMPLATE_LOOP_STEPS:,} steps")
            yield item

    def checked_size(self, value: Any) -> Any:
        return checked_size(value)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*" and _repeat_size(left, right) > MAX_TEMPLATE_TEXT_CHARS:
            raise _refuse(f"repeating would make {_repeat_size(left, right):,} items or characters")
        if operator == "**":
            _check_pow(left, right)
        if operator == "%" and isinstance(left, str):
            _check_percent(left, right)
        return checked_size(super().call_binop(context, operator, left, right))

    def call(self, context: jinja2.runtime.Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.calls += 1
        if budget.calls > MAX_TEMPLATE_CALLS:
            raise _refuse(f"more than {MAX_TEMPLATE_CALLS:,} calls (a macro or include that calls itself?)")
        for value in (*args, *kwargs.values()):
            _check_number(value)
        method = getattr(obj, "__wrapped__", obj)
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str):
            name = getattr(method, "__name__", "")
            if name in ("format", "format_map"):
                _check_format_string(owner)
            elif name == "replace" and len(args) >= 2:
                _check_replace(owner, args[0], args[1])
        return checked_size(super().call(context, obj, *args, **kwargs))


def _is_guarded(node: nodes.Node) -> bool:
    return (
        isinstance(node, nodes.Call)
        and isinstance(node.node, nodes.EnvironmentAttribute)
        and node.node.name == "guarded_iter"
    )


def _bounded_range(*args: int) -> range:
    for value in args:
        _check_number(value)
    numbers = range(*args)
    if len(numbers) > MAX_TEMPLATE_NUMBER:
        raise _refuse(f"range() of {len(numbers):,} numbers (the limit is {MAX_TEMPLATE_NUMBER:,})")
    return numbers


def _bounded_filter(function: Any, name: str) -> Any:
    """A filter that refuses huge numeric arguments (widths, counts) and huge results."""

    skip = 1 if hasattr(function, "jinja_pass_arg") else 0  # the context or environment comes first

    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = args[skip:]
        for value in (*values[1:], *kwargs.values()):
            _check_number(value)
        if name == "format" and values and isinstance(values[0], str):
            _check_percent(values[0], tuple(values[1:]))
        if name == "replace" and len(values) >= 3:
            _check_replace(str(values[0]), values[1], values[2])
        return checked_size(function(*args, **kwargs))

    if skip:
        bounded.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    return bounded


def render_bounded(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render a template within the budget; its output may hold at most MAX_HANDOUT_XML_CHARS characters."""
    parts: list[str] = []
    total = 0
    with template_budget():
        for chunk in template.generate(context):
            total += len(chunk)
            if total > MAX_HANDOUT_XML_CHARS:
                raise _refuse(f"the template wrote more than {MAX_HANDOUT_XML_CHARS:,} characters")
            parts.append(chunk)
    return "".join(parts)
