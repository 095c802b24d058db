"""The funder report made from a dataset full of small groups reveals no id and no small count.

The dataset: 12 participants and 12 practitioners (synthetic, seed 7), so most sites, referral
routes, bands and groups hold fewer than five people.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from evalkit.publish.disclosure import is_hidden

from evalkit.data import synth
from evalkit.publish import report

MIN_CELL = 5
# Columns and metrics that count people (or forms, one per person and wave). Counts of
# sessions, exercises, items and cells describe no one and are not suppressed.
PEOPLE_COLUMNS = {"n", "scheduled", "attended", "participants", "completed", "practitioners",
                  "scored", "unscored", "at_or_above", "assessed", "total", "n_pre", "n_post",
                  "n_follow_up", "blank"}
PEOPLE_METRICS = {"participants", "participant_sessions", "processes",
                  "processes_with_response", "processes_closed", "demands_set", "demands_met",
                  "demands_refused", "demands_outstanding", "meetings_scheduled",
                  "meetings_held", "meetings_missed", "rows_present", "rows_absent",
                  "expected_rows_missing", "rows_for_another_cohort",
                  "rows_on_cancelled_sessions"}
BASE64 = re.compile(r"(data:image/png;base64,|\"image/png\": \")[A-Za-z0-9+/=\\n]+")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    data = tmp_path_factory.mktemp("small") / "data"
    synth.write(data, seed=7, participants=12, practitioners=12, show_progress=False)
    out = tmp_path_factory.mktemp("out") / "funder"
    report.render_report(data, out_dir=out, audience="funder", min_cell=MIN_CELL,
                         show_progress=False)
    return data, out


def _ids(data) -> set[str]:
    ids = set()
    for name, column in (("participants", "participant_id"), ("practitioners", "practitioner_id"),
                         ("accountability_events", "process_id")):
        ids |= set(pd.read_csv(data / f"{name}.csv", dtype=str)[column])
    return ids


def _small_count(value) -> bool:
    if pd.isna(value) or is_hidden(pd.Series([str(value)])).iloc[0] or str(value) == "":
        return False
    return float(value) < MIN_CELL


def test_no_id_anywhere_in_the_report_folder(small):
    data, out = small
    ids = _ids(data)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(ids))) + r")\b")
    for path in [out / "report.html", *(out / "results").glob("*.csv")]:
        text = BASE64.sub("", path.read_text(encoding="utf-8"))
        found = pattern.findall(text)
        assert not found, f"{path.name} shows {len(found)} pseudonymous ids"


def test_no_small_count_in_results(small):
    _, out = small
    checked = 0
    for path in (out / "results").glob("*.csv"):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        if {"metric", "value"} <= set(table.columns):
            rows = table[table["metric"].isin(PEOPLE_METRICS)]
            bad = rows[rows["value"].map(_small_count)]
            assert bad.empty, f"{path.name}: small counts in {list(bad['metric'])}"
            checked += len(rows)
        for column in PEOPLE_COLUMNS & set(table.columns):
            bad = table[column].map(_small_count)
            assert not bad.any(), f"{path.name}, column {column}: {int(bad.sum())} small counts"
            checked += len(table)
    assert checked > 100  # the check looked at real tables


def test_no_small_count_in_report_tables(small):
    _, out = small
    soup = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")
    tables = soup.find_all("table")
    assert tables
    for table in tables:
        header = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
        for row in table.find("tbody").find_all("tr"):
            cells = [c.get_text(strip=True) for c in row.find_all(["th", "td"])]
            record = dict(zip(header, cells, strict=False))
            for column in PEOPLE_COLUMNS & set(record):
                assert not _small_count(record[column] or None), (header, column)
            if record.get("metric") in PEOPLE_METRICS:
                assert not _small_count(record["value"] or None), record["metric"]


def test_bands_never_leave_a_single_hidden_count(small):
    _, out = small
    for name, keys in (("sts_bands", ["wave"]), ("proqol_bands", ["wave", "subscale"])):
        table = pd.read_csv(out / "results" / f"{name}.csv", dtype=str)
        for _, group in table.groupby(keys):
            hidden = is_hidden(group["n"]).sum()
            assert hidden != 1 or is_hidden(group["scored"]).any(), name


def test_internal_sections_are_left_out(small):
    _, out = small
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "heat map is shown in internal reports only" in page
    assert "process 1" not in page  # no per-process timeline
    assert "internal: contains pseudonymous ids" not in page


def test_internal_only_sections_are_not_in_the_funder_page(small):
    _, out = small
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "For the team only" not in page and "Process by process" not in page
