"""Turn every manifest row into a checked RowPlan (spec, output path, fingerprint) before anything renders."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from handouts.batch.fingerprint import spec_fingerprint
from handouts.batch.manifest import ROW_KEYS, ManifestRow, manifest_format, read_manifest
from handouts.batch.names import name_problem, output_name, safe_part
from handouts.batch.options import MAX_LISTED_PROBLEMS, BatchOptions, PlanSummary, RowPlan
from handouts.batch.sheets import sheet_problems
from handouts.clinic import Clinic, load_clinic
from handouts.engine import Engine
from handouts.errors import ManifestError, Problem, SpecError
from handouts.paths import OUTSIDE_ASSETS, file_inside
from handouts.pdf.themes import Theme, check_printable
from handouts.spec import HandoutSpec, default_date, normalise_keys, parse_spec

# --- planning ---------------------------------------------------------------------------------------


class Planner:
    """Reads the manifest and turns each row into a RowPlan; the same rows give the same plans."""

    def __init__(self, options: BatchOptions, content_digest: str, run_date: dt.date | None = None) -> None:
        self.options = options
        self.fmt = manifest_format(options.manifest, options.fmt)
        self.content_digest = content_digest
        self.run_date = run_date or default_date()
        self.base_dir = options.manifest.parent
        self.asset_roots = (self.base_dir.resolve(), *(folder.resolve() for folder in options.assets))
        """The only folders a row may name files in: the manifest's own, and those given with --assets."""
        self.root = options.outdir.resolve()
        self._clinics: dict[Path, Clinic | tuple[Problem, ...]] = {}
        self._themes: dict[str, Theme] = {}

    def plans(self) -> Iterator[RowPlan]:
        for row in read_manifest(self.options.manifest, self.fmt):
            yield self.plan_row(row)

    def plan_row(self, row: ManifestRow) -> RowPlan:
        origin = f"{self.options.manifest}:{row.line}"
        if row.problem is not None:
            return RowPlan(
                row.number, row.line, origin, str(row.number), problems=(f"{origin}: {row.problem}",)
            )
        data = normalise_keys(row.data)
        terms = phi_terms(data)
        row_id, problems = self.row_id(data.pop("id", None), row.number, origin)
        safe_id = safe_part(row_id) or str(row.number)
        problems += self.unknown_keys(data, origin)
        spec = self.parse(data, origin, problems)
        if spec is not None:
            problems += sheet_problems(spec, origin, self.options.content_dirs, self.options.templates_dirs)
        if spec is not None and not problems:
            problems += self.unprintable(spec, origin)
        if spec is not None and not problems:
            name = output_name(self.options.name, spec, row_id, row.number)
            trouble = name_problem(name, self.options.outdir)
            if trouble is None:
                fingerprint = spec_fingerprint(spec, self.content_digest)
                return RowPlan(
                    row.number, row.line, origin, safe_id, str(self.options.outdir / name), self.root / name,
                    spec, fingerprint,
                )  # fmt: skip
            problems.append(f"{origin}: {trouble}")
        return RowPlan(
            row.number, row.line, origin, safe_id, problems=tuple(scrub(p, terms) for p in problems)
        )

    def unprintable(self, spec: HandoutSpec, origin: str) -> list[str]:
        """Fields with characters no font can print, found before anything renders (a count, never the text)."""
        if spec.theme not in self._themes:
            self._themes[spec.theme] = Engine.from_dirs(templates_dirs=self.options.templates_dirs).theme(
                spec.theme
            )
        try:
            check_printable(spec.user_text(), self._themes[spec.theme])
        except SpecError as exc:
            return [f"{origin}: {problem}" for problem in exc.problems]
        return []

    def row_id(self, value: Any, number: int, origin: str) -> tuple[str, list[str]]:
        if value is None or value == "":
            return str(number), []
        if not isinstance(value, str | int) or isinstance(value, bool) or not safe_part(str(value)):
            return str(number), [f"{origin}: id: must be letters and digits (for example 1042 or mrn-1042)"]
        return str(value).strip(), []

    def unknown_keys(self, data: dict[str, Any], origin: str) -> list[str]:
        unknown = [key for key in data if key not in ROW_KEYS]
        for key in unknown:
            del data[key]
        return [f"{origin}: {key}: unknown key (valid keys: {', '.join(ROW_KEYS)})" for key in unknown]

    def parse(self, data: dict[str, Any], origin: str, problems: list[str]) -> HandoutSpec | None:
        if not data.get("date"):
            data["date"] = self.run_date.isoformat()
        if isinstance(data.get("clinic"), str) and data["clinic"].strip():
            clinic = self.clinic(data["clinic"].strip())
            if isinstance(clinic, tuple):
                problems.extend(f"{origin}: clinic: {problem}" for problem in clinic)
                data.pop("clinic")
            else:
                data["clinic"] = clinic
        try:
            return parse_spec(data, origin, self.base_dir, quote_values=False, asset_roots=self.asset_roots)
        except SpecError as exc:
            problems.extend(str(problem) for problem in exc.problems)
            return None

    def clinic(self, value: str) -> Clinic | tuple[Problem, ...]:
        """A clinic file, read once however many rows name it (or the problems that stop it)."""
        path = file_inside(self.base_dir, value, self.asset_roots)
        if path is None:
            return (Problem(OUTSIDE_ASSETS),)
        if path not in self._clinics:
            try:
                self._clinics[path] = load_clinic(path, self.asset_roots)
            except SpecError as exc:
                self._clinics[path] = exc.problems
        return self._clinics[path]


def phi_terms(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The patient's name and the notes of a row: text that must never reach a message or log."""
    terms: list[str] = []
    name = data.get("patient_name")
    if isinstance(name, str | int | float) and str(name).strip():
        terms.append(" ".join(str(name).split()))
    notes = data.get("notes")
    for note in [notes] if isinstance(notes, str) else notes if isinstance(notes, list) else []:
        if isinstance(note, str) and len(note.strip()) >= 3:
            terms.append(note.strip())
    return tuple(terms)


def scrub(message: str, terms: Sequence[str]) -> str:
    """Replace any patient name or note that found its way into a message."""
    for term in sorted(terms, key=len, reverse=True):
        if len(term) >= 2:
            message = re.sub(re.escape(term), "[patient details]", message, flags=re.IGNORECASE)
    return message


def spec_terms(spec: HandoutSpec | None) -> tuple[str, ...]:
    if spec is None:
        return ()
    return tuple(t for t in (spec.patient_name or "", *spec.notes) if t)


def check_plan(planner: Planner, on_row: Callable[[int, int], None] | None = None) -> PlanSummary:
    """First pass: validate every row and every name; collisions stop the run before anything renders.

    `on_row(rows, bad)` is called after each row (progress for a manifest of a million rows).
    """
    rows = bad = 0
    problems: list[str] = []
    names: dict[str, str] = {}
    collisions: list[str] = []
    folders: set[Path] = set()
    for plan in planner.plans():
        rows += 1
        if on_row is not None:
            on_row(rows, bad)
        if plan.problems:
            bad += 1
            problems.extend(plan.problems[: max(0, MAX_LISTED_PROBLEMS - len(problems))])
            continue
        assert plan.target is not None
        folders.add(plan.target.parent)
        key = plan.target.relative_to(planner.root).as_posix().casefold()
        if key in names and len(collisions) < MAX_LISTED_PROBLEMS:
            collisions.append(
                f"{plan.origin}: output name '{plan.output}' is also the name of {names[key]} "
                "(give each row its own id, or add fields to --name)"
            )
        names.setdefault(key, plan.origin)
    if collisions:
        raise ManifestError("\n".join(collisions))
    return PlanSummary(rows=rows, bad_rows=bad, problems=tuple(problems), folders=frozenset(folders))
