"""Attendance benchmark: summary + Kaplan-Meier on 100,000 participants (about 2.4 M rows).

Target (issue 15): within 1.5x of DuckDB SQL computing the same aggregates from the same
in-memory tables. Nothing is cached between runs: every evalkit run starts from the loaded
Dataset. DuckDB gets the ids as the integer category codes the Dataset holds (its fastest
input); the ratio against DuckDB joining the ids as text is printed too.

Usage: ``python benchmarks/bench_attendance.py [DATA_FOLDER | N_PARTICIPANTS]``; without a folder,
synthetic data is made in a temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

import evalkit
from evalkit.analyses import attendance
from evalkit.data import synth

PARTICIPANTS = 100_000
TARGET_RATIO = 1.5
RUNS = 5

SQL = """
WITH ps AS (
  SELECT a.participant_id, s.programme_week,
         a.status IN ('attended', 'late', 'left_early') AS present
  FROM att a JOIN ses s USING (session_id)
  WHERE NOT s.cancelled
), per_person AS (
  SELECT p.participant_id, p.exit_reason,
         COALESCE(SUM(CASE WHEN ps.present THEN 1 ELSE 0 END), 0) AS attended,
         COALESCE(MAX(CASE WHEN ps.present THEN ps.programme_week END), 0) AS last_week
  FROM par p LEFT JOIN ps USING (participant_id)
  GROUP BY p.participant_id, p.exit_reason
), held AS (
  SELECT cohort_id, COUNT(*) AS scheduled FROM ses WHERE NOT cancelled GROUP BY cohort_id
), km AS (
  SELECT last_week AS t, COUNT(*) AS n,
         SUM(CASE WHEN exit_reason IN ('withdrew', 'excluded') THEN 1 ELSE 0 END) AS d
  FROM per_person GROUP BY last_week
)
SELECT
  (SELECT AVG(present::INT) FROM ps) AS attendance_rate,
  (SELECT COUNT(*) FROM ps) AS participant_sessions,
  (SELECT AVG((pp.attended >= 0.8 * h.scheduled)::INT) FROM per_person pp
     JOIN par p USING (participant_id) JOIN held h USING (cohort_id)) AS completion_attendance,
  (SELECT list(t ORDER BY t) FROM km) AS times,
  (SELECT list(n ORDER BY t) FROM km) AS counts,
  (SELECT list(d ORDER BY t) FROM km) AS events
"""


def _ids(frame, columns, as_text):
    out = frame.copy()
    for column in columns:
        out[column] = out[column].astype(str) if as_text else out[column].cat.codes
    return out


def duckdb_connection(ds, as_text: bool):
    con = duckdb.connect()
    con.register("att", _ids(ds.attendance[["participant_id", "session_id", "status"]],
                             ["participant_id", "session_id"], as_text).astype({"status": str}))
    con.register("ses", _ids(ds.sessions[["session_id", "cohort_id", "programme_week", "cancelled"]],
                             ["session_id", "cohort_id"], as_text)
                 .astype({"cancelled": bool, "programme_week": int}))
    con.register("par", _ids(ds.participants[["participant_id", "cohort_id", "exit_reason"]],
                             ["participant_id", "cohort_id"], as_text).astype({"exit_reason": str}))
    return con


def duckdb_version(con) -> tuple[float, dict]:
    start = time.perf_counter()
    row = con.execute(SQL).fetchone()
    # Kaplan-Meier product from the per-time counts (the estimator itself is one line).
    times, counts, events = (np.array(x) for x in row[3:6])
    at_risk = counts[::-1].cumsum()[::-1]
    survival = np.cumprod(1 - events / at_risk)
    elapsed = time.perf_counter() - start
    return elapsed, {"attendance_rate": row[0], "participant_sessions": row[1],
                     "completion_attendance": row[2], "final_survival": survival[-1]}


def evalkit_version(ds) -> tuple[float, dict]:
    start = time.perf_counter()
    progress = attendance.participant_progress(ds)
    summary = attendance.attendance_summary(ds, progress=progress).set_index("metric")["value"]
    km = attendance.retention(progress)
    elapsed = time.perf_counter() - start
    return elapsed, {"attendance_rate": summary["attendance_rate"],
                     "participant_sessions": summary["participant_sessions"],
                     "completion_attendance": summary["completion_rate_attendance"],
                     "final_survival": km["survival"].iloc[-1]}


def run(folder: Path) -> int:
    ds = evalkit.load(folder)
    codes, text = duckdb_connection(ds, as_text=False), duckdb_connection(ds, as_text=True)
    evalkit_version(ds), duckdb_version(codes), duckdb_version(text)  # warm-up
    ours, ref, ref_text = [], [], []
    for _ in range(RUNS):  # interleaved, so a busy machine slows both sides alike
        ours.append(evalkit_version(ds))
        ref.append(duckdb_version(codes))
        ref_text.append(duckdb_version(text))
    ours_s, ours_values = min(ours, key=lambda r: r[0])
    ref_s, ref_values = min(ref, key=lambda r: r[0])
    text_s = min(r[0] for r in ref_text)
    for key in ours_values:
        if not np.isclose(ours_values[key], ref_values[key], rtol=1e-9):
            print(f"MISMATCH {key}: evalkit {ours_values[key]} duckdb {ref_values[key]}")
            return 1
    ratio = ours_s / ref_s
    print(f"attendance benchmark: {len(ds.participants):,} participants, "
          f"{len(ds.attendance):,} register rows (best of {RUNS})")
    print(f"  evalkit summary + Kaplan-Meier      {ours_s:6.3f} s")
    print(f"  duckdb SQL, ids as integer codes    {ref_s:6.3f} s")
    print(f"  duckdb SQL, ids as text             {text_s:6.3f} s")
    print(f"  evalkit / duckdb (codes)            {ratio:6.2f}x  (target {TARGET_RATIO}x)  "
          f"{'ok' if ratio <= TARGET_RATIO else 'OVER TARGET'}")
    print(f"  evalkit / duckdb (text)             {ours_s / text_s:6.2f}x")
    return 0


def main(argv: list[str]) -> int:
    if argv and Path(argv[0]).is_dir():
        return run(Path(argv[0]))
    n = int(argv[0]) if argv else PARTICIPANTS
    with tempfile.TemporaryDirectory() as tmp:
        synth.write(tmp, seed=2026, participants=n, show_progress=False)
        return run(Path(tmp))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
