"""Foundation benchmark: synth and load+validate 100,000 participants (about 2.4 M register rows).

Each step runs in its own process so its peak memory (max RSS) is its own. Targets (issue 2):
synth under 20 s, load under 10 s on the 2-core reference machine. Prints figures and the ratio
of each time to its target (below 1.0 meets it).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PARTICIPANTS = 100_000
TARGETS = {"synth": 20.0, "load": 10.0}

_STEP = r"""
import json, resource, sys, time
step, folder, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
if step == "synth":
    from evalkit.data import synth
    synth.write(folder, seed=2026, participants=n, show_progress=False)
    rows = None
else:
    import evalkit
    rows = len(evalkit.load(folder).attendance)
seconds = time.perf_counter() - start
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak_mib, "rows": rows}))
"""


def run_step(step: str, folder: Path, n: int) -> dict:
    done = subprocess.run([sys.executable, "-c", _STEP, step, str(folder), str(n)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else PARTICIPANTS
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "big"
        synth = run_step("synth", folder, n)
        load = run_step("load", folder, n)
    print(f"foundation benchmark: {n:,} participants, {load['rows']:,} register rows")
    for name, result in (("synth", synth), ("load", load)):
        ratio = result["seconds"] / TARGETS[name]
        print(f"  {name:<6} {result['seconds']:6.2f} s  peak {result['peak_mib']:7.0f} MiB  "
              f"target {TARGETS[name]:.0f} s  ratio {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
