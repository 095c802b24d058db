"""Run every benchmark in turn on one synthetic folder (``make bench``).

The 100,000-participant folder is made once (timed by the foundation benchmark) and shared by
the loading and attendance benchmarks; the scoring benchmark makes its own forms, and the
report benchmark renders the sample.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    status = 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "big"
        for script, args in (("bench_foundation.py", [str(folder)]),
                             ("bench_attendance.py", [str(folder)]),
                             ("bench_scoring.py", []),
                             ("bench_report.py", [])):
            status |= subprocess.run([sys.executable, str(HERE / script), *args]).returncode
    print(f"all benchmarks: {time.perf_counter() - start:.0f} s")
    sys.exit(status)
