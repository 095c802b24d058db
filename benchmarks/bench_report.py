"""Report benchmark (issue 21): the sample funder report against the kernel floor.

The floor is executing one one-cell notebook (``1 + 1``) in a fresh kernel: what any report
built on notebooks pays at least once. Target: the whole sample report (every notebook, the
policy, the HTML, no PDF) within 4x the floor. Both are measured in this run, on this machine,
so the ratio does not depend on how busy the machine is as much as either time alone; each is
the best of ``RUNS``. Prints both times and the ratio (below 4 is within target).

The report runs its notebooks side by side in :func:`~evalkit.publish.notebooks.kernel_count`
kernels (one per core, ``EVALKIT_KERNELS`` to choose); the line printed says how many, and the
seconds the kernels and this process spent on the processor, which busy neighbours on a shared
machine change less than the wall time.

Usage: ``python benchmarks/bench_report.py [DATA_FOLDER]`` (default: the sample).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from evalkit.publish.notebooks import execute, kernel_count, workbook
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


def cpu_seconds() -> tuple[float, float]:
    """Processor seconds of this process and of its finished children (the kernels)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


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

        own_before, kernels_before = cpu_seconds()
        seconds = best_of(RUNS, report)
        own_after, kernels_after = cpu_seconds()
    ratio = seconds / floor
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    kernels = kernel_count(len(workbook()))
    print(f"report: sample funder report {seconds:.1f} s ({kernels} kernel"
          f"{'s' if kernels > 1 else ''} side by side; per report {(own_after - own_before) / RUNS:.1f} s "
          f"processor here, {(kernels_after - kernels_before) / RUNS:.1f} s in the kernels), "
          f"one-cell notebook {floor:.2f} s: {ratio:.1f}x the kernel floor "
          f"(target {TARGET_RATIO:g}x: {verdict})")
