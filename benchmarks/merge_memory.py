"""Turn 100 and 1,000 finished handouts into a print file three ways and print the peak memory of each.

    python benchmarks/merge_memory.py              # 100 handouts rendered once, merged as 100 and 1,000 rows

The ways: `handouts` (batch/print_file.py: one handout at a time, straight to the file), the earlier
pikepdf merge (every handout read into memory and kept open until one save at the end), and the qpdf
command line (`qpdf --empty --pages ... --keep-files-open=n`, which has no bookmarks and keeps the form
fields). Each merge runs in a fresh process; the figure is its peak resident memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MERGE_CODE = {
    "handouts (streaming)": """
from handouts.batch.merge import MergeRecord, merge_handouts
merge_handouts([MergeRecord(Path(p), f"r{i}") for i, p in enumerate(paths)], target, duplex=True)
""",
    "pikepdf, all open (before)": """
import io, pikepdf
sources = []
with pikepdf.new() as out:
    with out.open_outline() as outline:
        for i, p in enumerate(paths):
            start = len(out.pages)
            sources.append(pikepdf.open(io.BytesIO(Path(p).read_bytes())))
            out.pages.extend(sources[-1].pages)
            outline.root.append(pikepdf.OutlineItem(f"r{i}", start))
    out.save(target, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
""",
}


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def make_handouts(folder: Path, count: int) -> list[Path]:
    manifest = folder / "rows.csv"
    types = ("rrms", "cis", "spms", "ppms", "")
    rows = [f"r{i:04d},{types[i % 5]},Person {i},Next MRI in March,2026-11-26" for i in range(count)]
    manifest.write_text("id,type,patient_name,notes,date\n" + "\n".join(rows) + "\n")
    outdir = folder / "out"
    subprocess.run(
        [sys.executable, "-m", "handouts", "batch", str(manifest), "-o", str(outdir), "-q"], check=True
    )
    return sorted(outdir.glob("*.pdf"))


def measure_python(code: str, paths: list[Path], target: Path) -> tuple[float, float]:
    script = (
        "import json, resource, sys, time\nfrom pathlib import Path\n"
        f"paths = json.loads({json.dumps(json.dumps([str(p) for p in paths]))})\n"
        f"target = Path({str(target)!r})\nstarted = time.monotonic()\n"
        + code
        + "\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.monotonic() - started)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    peak_kb, seconds = done.stdout.split()
    return int(peak_kb) / 1024, float(seconds)


def measure_qpdf(paths: list[Path], target: Path) -> tuple[float, float]:
    """qpdf in a fresh wrapper process, so the peak is qpdf's own and no earlier child's."""
    command = ["qpdf", "--keep-files-open=n", "--empty", "--pages", *map(str, paths), "--", str(target)]
    script = (
        "import resource, subprocess, sys, time\nstarted = time.monotonic()\n"
        f"subprocess.run({command!r}, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.monotonic() - started)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    peak_kb, seconds = done.stdout.split()
    return int(peak_kb) / 1024, float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handouts", type=int, default=100)
    parser.add_argument("--rows", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        made = make_handouts(folder, args.handouts)
        size = sum(p.stat().st_size for p in made) / len(made)
        say(f"{len(made)} handouts, {size / 1024:.0f} KB each on average; each merge in a fresh process\n")
        say("| merge | " + " | ".join(f"{n:,} rows: peak MB (s)" for n in args.rows) + " |")
        say("| --- |" + " --- |" * len(args.rows))
        results: dict[str, list[str]] = {}
        for rows in args.rows:
            paths = [made[i % len(made)] for i in range(rows)]
            peak, seconds = measure_qpdf(paths, folder / "qpdf.pdf")
            results.setdefault("qpdf CLI --keep-files-open=n (no bookmarks)", []).append(
                f"{peak:.0f} ({seconds:.1f})"
            )
            for name, code in MERGE_CODE.items():
                peak, seconds = measure_python(code, paths, folder / "print.pdf")
                results.setdefault(name, []).append(f"{peak:.0f} ({seconds:.1f})")
        for name, cells in results.items():
            say(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
