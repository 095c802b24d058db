"""Foundation benchmark: synth and load+validate 100,000 participants (about 2.4 M register rows).

Targets (issue 15): ``evalkit.load`` within 3x of a bare pyarrow read of the same CSV files, and
the extra memory loading needs within 2x of the loaded frames.

Each step runs in its own process. Times are the best of three runs in that process (the files
are then in the page cache for both sides). Memory: the process first loads the small sample
folder, so thread pools, allocators and compiled patterns are in place; then its peak resident
memory is reset (``/proc/self/clear_refs``) and the big folder is loaded once:

- ``extra`` = peak resident memory during that load minus resident memory before it;
- ``frames`` = deep size of the loaded tables (``DataFrame.memory_usage(deep=True)``);
- the memory ratio is ``extra / frames``.

The bare read is ``pyarrow.csv.read_csv(path)`` with its defaults (types inferred) on every CSV
file; a read with every column as text is shown too, since that is what loading parses.

Usage: ``python benchmarks/bench_foundation.py [FOLDER] [N_PARTICIPANTS]``: without a folder the
data are made in a temporary one; a folder without CSV files is filled by the synth step.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PARTICIPANTS = 100_000
LOAD_RATIO = 3.0
MEMORY_RATIO = 2.0
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

_STEP = r"""
import gc, json, resource, sys, time
from pathlib import Path
step, folder, n, sample = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def status(key):
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if key == "VmHWM" else 0.0

def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass

def timed(work, runs=3):
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
    return best, result

out = {}
if step == "synth":
    from evalkit.data import synth
    start = time.perf_counter()
    synth.write(folder, seed=2026, participants=n, show_progress=False)
    out["seconds"] = time.perf_counter() - start
elif step == "arrow":
    import pyarrow as pa
    import pyarrow.csv as pacsv
    files = sorted(Path(folder).glob("*.csv"))
    def bare():
        return [pacsv.read_csv(p) for p in files]
    def text():
        tables = []
        for p in files:
            names = p.open(encoding="utf-8").readline().strip().split(",")
            options = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
            tables.append(pacsv.read_csv(p, convert_options=options))
        return tables
    bare(), text()
    out["seconds"], _ = timed(bare)
    out["text_seconds"], _ = timed(text)
else:
    import evalkit
    evalkit.load(sample)
    gc.collect()
    reset_peak()
    before = status("VmRSS")
    start = time.perf_counter()
    dataset = evalkit.load(folder)
    first = time.perf_counter() - start
    out["extra_mib"] = status("VmHWM") - before
    out["frames_mib"] = sum(dataset.tables[name].memory_usage(deep=True).sum()
                            for name in dataset.present) / 2**20
    out["rows"] = len(dataset.attendance)
    del dataset
    gc.collect()
    seconds, _ = timed(lambda: evalkit.load(folder), runs=2)
    out["seconds"] = min(first, seconds)
print(json.dumps(out))
"""


def run_step(step: str, folder: Path, n: int) -> dict:
    done = subprocess.run([sys.executable, "-c", _STEP, step, str(folder), str(n), str(SAMPLE)],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{step} step failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(folder: Path, n: int) -> int:
    print(f"foundation benchmark: {n:,} participants")
    if not any(folder.glob("*.csv")):
        synth = run_step("synth", folder, n)
        print(f"  synth                       {synth['seconds']:6.2f} s")
    arrow = run_step("arrow", folder, n)
    load = run_step("load", folder, n)
    ratio = load["seconds"] / arrow["seconds"]
    memory = load["extra_mib"] / load["frames_mib"]
    print(f"  register rows               {load['rows']:,}")
    print(f"  pyarrow read_csv (bare)     {arrow['seconds']:6.2f} s")
    print(f"  pyarrow read, all as text   {arrow['text_seconds']:6.2f} s")
    print(f"  evalkit.load (validated)    {load['seconds']:6.2f} s")
    print(f"  load / bare pyarrow         {ratio:6.2f}x  (target {LOAD_RATIO:.0f}x)  "
          f"{'ok' if ratio <= LOAD_RATIO else 'OVER TARGET'}")
    print(f"  load / pyarrow as text      {load['seconds'] / arrow['text_seconds']:6.2f}x")
    print(f"  loaded frames               {load['frames_mib']:6.1f} MiB")
    print(f"  extra memory while loading  {load['extra_mib']:6.1f} MiB")
    print(f"  memory / frames             {memory:6.2f}x  (target {MEMORY_RATIO:.0f}x)  "
          f"{'ok' if memory <= MEMORY_RATIO else 'OVER TARGET'}")
    return 0


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv and not argv[0].isdigit() else None
    numbers = [a for a in argv if a.isdigit()]
    n = int(numbers[0]) if numbers else PARTICIPANTS
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        return run(folder, n)
    with tempfile.TemporaryDirectory() as tmp:
        return run(Path(tmp) / "big", n)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
