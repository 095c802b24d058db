"""Run every benchmark script in this folder in turn (``make bench``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    status = 0
    for script in sorted(HERE.glob("bench_*.py")):
        status |= subprocess.run([sys.executable, str(script)]).returncode
    sys.exit(status)
