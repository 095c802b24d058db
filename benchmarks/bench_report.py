"""Report benchmark (issue 21): the sample funder report against the kernel floor.

The floor is executing one one-cell notebook (``1 + 1``) in a fresh kernel: what any report
built on notebooks pays at least once. Target: the whole sample report (every notebook, the
policy, the HTML, no PDF) within 4x the floor. Both are measured in this run, on this machine,
so the ratio does not depend on how busy the machine is as much as either time alone; each is
the best of ``RUNS``. Prints both times and the ratio (below 4 is within target).

Usage: ``python benchmarks/bench_report.py [DATA_FOLDER]`` (default: the sample).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import nbformat

from evalkit.publish.notebooks import execute
from evalkit.publish.report import render_report

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 4.0
RUNS = 3


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def kernel_floor() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    execute(nb, cwd=ROOT)


if __name__ == "__main__":
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "sample"
    floor = best_of(RUNS, kernel_floor)
    with tempfile.TemporaryDirectory() as tmp:
        count = iter(range(RUNS))

        def report() -> None:
            render_report(data, out_dir=Path(tmp) / f"report{next(count)}", audience="funder",
                          ledger="none", show_progress=False)

        seconds = best_of(RUNS, report)
    ratio = seconds / floor
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"report: sample funder report {seconds:.1f} s, one-cell notebook {floor:.2f} s: "
          f"{ratio:.1f}x the kernel floor (target {TARGET_RATIO:g}x: {verdict})")
