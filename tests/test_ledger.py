"""The release ledger against attack 2 of issue 20: funder reports that, side by side, give away a
count that each of them hides.

The crafted folder: 30 participants (all started in October 2023, no sessions file, so every
participant is in every period) and the partner-reported safety instrument of the sample. Partners
of p01-p21 answer at intake in January 2024 and partners of p01-p20 at exit in June 2024; in July
2024 the partner of p22 answers at intake and at exit. A report for January to June rests on 21
partners at intake and 20 at exit, one for January to July on 22 and 21: the two differ by one
partner, whose scores are n times one mean minus n times the other.

Most reports here are made without executing the notebooks (``execute`` does nothing): the ledger
acts before the notebooks run and after the report folder is in place, on counts it takes from the
policed tables in-process, so the notebooks' outputs do not matter to it. One test makes a whole
report.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import sys

import pytest
from tests.conftest import ROOT, SAMPLE

from evalkit.cli import main
from evalkit.publish import report

# The ledger module is imported inside the tests of its parts, so that the tests of the command
# run (and fail) on a version of evalkit without a ledger.

PARTICIPANTS = "participant_id,site,cohort_id,referral_route,age_band,start_month,exit_reason"
ANSWERS = "participant_id,wave,response_date,i01,i02,i03,i04,i05,i06,i07,i08"
SPRING, SUMMER = "2024-01:2024-06", "2024-01:2024-07"


def _crafted(folder, *, july: int = 1, same_july_answers: bool = False):
    """The folder described above; ``july`` partners (p22 onwards) answer in July 2024."""
    (folder / "instruments").mkdir(parents=True)
    shutil.copy(SAMPLE / "instruments" / "partner_safety.toml", folder / "instruments")
    people = [PARTICIPANTS] + [f"p{i:02d},{'north' if i % 2 else 'south'},c1,self,35-44,"
                               "2023-10,ongoing" for i in range(1, 31)]
    (folder / "participants.csv").write_text("\n".join(people) + "\n")
    rows = [ANSWERS]
    rows += [f"p{i:02d},intake,2024-01-{i:02d},{i % 5},2,2,1,2,2,1,2" for i in range(1, 22)]
    rows += [f"p{i:02d},exit,2024-06-{i:02d},1,1,1,0,1,3,1,3" for i in range(1, 21)]
    for j in range(july):
        first = 2 if same_july_answers else j % 5
        rows.append(f"p{22 + j:02d},intake,2024-07-03,{first},2,2,1,2,2,1,2")
        rows.append(f"p{22 + j:02d},exit,2024-07-20,1,1,1,1,1,3,1,3")
    (folder / "partner_safety.csv").write_text("\n".join(rows) + "\n")
    return folder


class _NoKernels:
    """Stands in for the report's KernelPool: no kernel starts and no notebook runs."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return None

    def submit(self, notebooks):
        pass

    def wait(self, **kwargs):
        pass


class _Interrupted(_NoKernels):
    def wait(self, **kwargs):
        raise KeyboardInterrupt


@pytest.fixture
def quick(monkeypatch):
    """Reports without executing the notebooks (the ledger does not depend on them)."""
    monkeypatch.setattr(report, "KernelPool", _NoKernels)


@pytest.fixture
def data(tmp_path):
    return _crafted(tmp_path / "data")


def _report(data, out, *extra):
    return main(["report", str(data), "--out", str(out), *map(str, extra)])


@pytest.fixture
def default_ledger(config_folder):
    """Where a funder report's ledger goes by default during the tests (see conftest.py)."""
    return config_folder / "evalkit" / "ledger.jsonl"


def _ledger_lines(path):
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _without_names(message: str, *names: str) -> str:
    for name in names:
        message = message.replace(name, "")
    return message


def test_nested_periods_one_partner_apart_are_refused(tmp_path, data, capsys, default_ledger):
    """Attack 2a, end to end: the first report is made in full and recorded; the second is
    refused before anything is written, naming the first by date, title and period only."""
    assert _report(data, tmp_path / "spring", "--period", SPRING, "--title", "Spring board") == 0
    assert (tmp_path / "spring" / "report.html").is_file()
    recorded = _ledger_lines(default_ledger)
    assert len(recorded) == 2  # the header and the spring report
    capsys.readouterr()

    assert _report(data, tmp_path / "summer", "--period", SUMMER) == 2
    message = capsys.readouterr().err
    assert "refused" in message and '"Spring board"' in message
    assert "January 2024 to June 2024" in message
    spring = json.loads(recorded[1])
    assert spring["date"] in message
    # Never a count: with the names of the report, the ledger's path and the threshold taken
    # out, no number is left (21, 22, 20 or 1 would give the partners away).
    rest = _without_names(message, spring["date"], "January 2024 to June 2024",
                          str(default_ledger), "fewer than 5")
    assert re.findall(r"\d+", rest) == [], rest
    assert not (tmp_path / "summer").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert _ledger_lines(default_ledger) == recorded


def test_nested_periods_are_allowed_when_the_counts_are_equal_or_far_apart(tmp_path, quick):
    """Both sides of the rule: no July partner (the counts are equal), or five July partners
    who answer alike (every count both reports publish grows by 0 or by at least 5)."""
    same = _crafted(tmp_path / "same", july=0)
    assert _report(same, tmp_path / "a", "--period", SPRING) == 0
    assert _report(same, tmp_path / "b", "--period", SUMMER) == 0
    apart = _crafted(tmp_path / "apart", july=5, same_july_answers=True)
    ledger = tmp_path / "apart.jsonl"
    assert _report(apart, tmp_path / "c", "--period", SPRING, "--ledger", ledger) == 0
    assert _report(apart, tmp_path / "d", "--period", SUMMER, "--ledger", ledger) == 0
    assert len(_ledger_lines(ledger)) == 3


def test_nested_periods_four_partners_apart_are_refused_and_five_allowed(tmp_path, quick, capsys):
    """Both sides of the threshold: four July partners who answer alike (every count that grows
    grows by 4 = min-cell - 1) are refused, naming the earlier report; five are allowed (the test
    above)."""
    four = _crafted(tmp_path / "four", july=4, same_july_answers=True)
    ledger = tmp_path / "four.jsonl"
    assert _report(four, tmp_path / "a", "--period", SPRING, "--ledger", ledger,
                   "--title", "Half year") == 0
    capsys.readouterr()
    assert _report(four, tmp_path / "b", "--period", SUMMER, "--ledger", ledger) == 2
    message = capsys.readouterr().err
    assert 'the earlier funder report "Half year"' in message
    assert "(January 2024 to June 2024)" in message and "differ by fewer than 5" in message
    assert not (tmp_path / "b").exists() and len(_ledger_lines(ledger)) == 2


def test_periods_that_do_not_overlap_are_allowed(tmp_path, data, quick, default_ledger, capsys):
    assert _report(data, tmp_path / "a", "--period", SPRING) == 0
    assert _report(data, tmp_path / "b", "--period", "2024-07:2024-12") == 0
    assert len(_ledger_lines(default_ledger)) == 3
    assert f"kept in the release ledger {default_ledger}" in capsys.readouterr().err


def test_a_whole_folder_is_compared_with_a_period_before_its_sessions(tmp_path, data, quick,
                                                                     capsys):
    """Sessions only from July 2024, partners' answers from January. The report of the whole
    folder was recorded with the sessions' months alone, so a report of January to June never
    met it, though their partner counts differ by one. A report's months are now those of every
    record it draws on."""
    sessions = ["session_id,cohort_id,site,programme_week,module,module_session,session_date,"
                "delivery_mode,facilitator_ids,cancelled"]
    sessions += [f"c1-w{w:02d},c1,north,{w},getting_started,{w},2024-{6 + w:02d}-01,group,s1,false"
                 for w in (1, 2)]
    (data / "sessions.csv").write_text("\n".join(sessions) + "\n")
    assert _report(data, tmp_path / "whole") == 0
    capsys.readouterr()
    assert _report(data, tmp_path / "spring", "--period", SPRING) == 2
    assert "refused" in capsys.readouterr().err
    assert not (tmp_path / "spring").exists()


def test_a_ledger_that_cannot_be_made_is_a_clear_refusal(tmp_path, data, quick, capsys):
    (tmp_path / "plain").write_text("a file, not a folder")
    assert _report(data, tmp_path / "r", "--ledger", tmp_path / "plain" / "ledger.jsonl") == 2
    assert "cannot use the release ledger" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_a_different_min_cell_for_the_same_data_is_refused(tmp_path, data, quick, capsys,
                                                           default_ledger):
    """Attack 2b: --min-cell 5, 4 and 3 of one folder; the second and third are refused, and so
    is a later version of the folder (it grew by the July partner) with another threshold."""
    assert _report(data, tmp_path / "five", "--min-cell", 5, "--title", "Five") == 0
    capsys.readouterr()
    for smaller in (4, 3):
        assert _report(data, tmp_path / f"m{smaller}", "--min-cell", smaller) == 2
        message = capsys.readouterr().err
        assert '"Five"' in message and "--min-cell 5" in message
        assert not (tmp_path / f"m{smaller}").exists()
    later = _crafted(tmp_path / "later", july=2)
    assert _report(later, tmp_path / "later-four", "--min-cell", 4) == 2
    assert "--min-cell 5" in capsys.readouterr().err
    assert len(_ledger_lines(default_ledger)) == 2


def test_the_same_release_made_again_is_allowed_and_recorded_once(tmp_path, data, quick,
                                                                  default_ledger):
    """`make report` run again: same data, period and threshold (a new title does not matter)."""
    assert _report(data, tmp_path / "r", "--period", SPRING) == 0
    first = _ledger_lines(default_ledger)
    assert _report(data, tmp_path / "r", "--period", SPRING) == 0
    assert _report(data, tmp_path / "r", "--period", SPRING, "--title", "Again") == 0
    assert _ledger_lines(default_ledger) == first and len(first) == 2


def test_ledger_none_is_allowed_and_the_front_page_says_so(tmp_path, data, quick, default_ledger):
    assert _report(data, tmp_path / "spring", "--period", SPRING) == 0
    kept = _ledger_lines(default_ledger)
    assert _report(data, tmp_path / "summer", "--period", SUMMER, "--ledger", "none") == 0
    page = (tmp_path / "summer" / "report.html").read_text(encoding="utf-8")
    assert "No release ledger was kept" in page
    assert _ledger_lines(default_ledger) == kept
    assert "release ledger" not in (tmp_path / "spring" / "report.html").read_text()


def test_research_and_internal_reports_neither_check_nor_write_the_ledger(tmp_path, data, quick,
                                                                          capsys, default_ledger):
    assert _report(data, tmp_path / "spring", "--period", SPRING) == 0
    kept = _ledger_lines(default_ledger)
    for audience in ("research", "internal"):
        assert _report(data, tmp_path / audience, "--period", SUMMER,
                       "--audience", audience) == 0
        page = (tmp_path / audience / "report.html").read_text(encoding="utf-8")
        assert "No release ledger was kept" not in page
    assert _ledger_lines(default_ledger) == kept
    capsys.readouterr()
    assert _report(data, tmp_path / "r", "--audience", "research",
                   "--ledger", tmp_path / "x.jsonl") == 2
    assert "--ledger is for funder reports" in capsys.readouterr().err
    assert not (tmp_path / "x.jsonl").exists() and not (tmp_path / "r").exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_the_ledger_is_private_and_a_readable_one_is_refused(tmp_path, data, quick, capsys,
                                                             default_ledger):
    assert _report(data, tmp_path / "r", "--period", SPRING) == 0
    path = default_ledger
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in path.parent.iterdir()) == ["ledger.jsonl", "ledger.jsonl.lock"]
    path.chmod(0o644)
    before = path.read_bytes()
    capsys.readouterr()
    assert _report(data, tmp_path / "s", "--period", "2024-07:2024-12") == 2
    assert "chmod 600" in capsys.readouterr().err
    assert path.read_bytes() == before and not (tmp_path / "s").exists()


def test_a_ledger_inside_the_data_the_checkout_or_the_report_is_refused(tmp_path, data, quick,
                                                                        capsys, monkeypatch):
    out = tmp_path / "out"
    for place, what in ((data / "ledger.jsonl", "the data folder"),
                        (ROOT / "ledger.jsonl", "the evalkit checkout"),
                        (ROOT / "reports" / "ledger.jsonl", "the evalkit checkout"),
                        (out / "ledger.jsonl", "the report folder")):
        assert _report(data, out, "--ledger", place) == 2
        assert what in capsys.readouterr().err
        assert not place.exists() and not out.exists()
    # The default too: a config folder inside the data folder is refused.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(data / "config"))
    monkeypatch.setenv("APPDATA", str(data / "config"))
    assert _report(data, out) == 2
    assert "the data folder" in capsys.readouterr().err
    assert not (data / "config").exists()


class _MustNotStart(_NoKernels):
    def __enter__(self):
        raise AssertionError("a refused report started its kernels")


def test_a_refused_report_starts_no_kernel(tmp_path, data, quick, monkeypatch, capsys):
    """The ledger is consulted before the kernels start: a refused report costs nothing and
    cannot fail while they start (it once ended as an internal error under load)."""
    assert _report(data, tmp_path / "spring", "--period", SPRING) == 0
    monkeypatch.setattr(report, "KernelPool", _MustNotStart)
    capsys.readouterr()
    assert _report(data, tmp_path / "summer", "--period", SUMMER) == 2
    assert "refused" in capsys.readouterr().err
    assert not (tmp_path / "summer").exists()


@pytest.mark.parametrize("content, expect", [
    (b"participant_id,site\np01,north\n", "is not an evalkit release ledger"),
    (b"", None),  # an empty file holds nothing to lose: it becomes a new ledger
    (b'{"evalkit": "release ledger", "version": 1, "salt": "' + b"ab" * 16 + b'"}\n{"date": "2',
     "damaged at line 2"),
    (b'{"evalkit": "release ledger", "version": 9, "salt": "' + b"ab" * 16 + b'"}\n',
     "another version of evalkit"),
    (b"\xff\xfe binary", "is not an evalkit release ledger"),
])
def test_a_foreign_or_damaged_ledger_is_refused_and_never_overwritten(tmp_path, data, quick,
                                                                      capsys, content, expect):
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(content)
    path.chmod(0o600)
    status = _report(data, tmp_path / "r", "--ledger", path)
    message = capsys.readouterr().err
    if expect is None:
        assert status == 0 and len(_ledger_lines(path)) == 2
        return
    assert status == 2 and expect in message, message
    assert path.read_bytes() == content
    assert "p01" not in message and "north" not in message  # never the file's content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "ledger.jsonl"]


def test_an_interrupted_report_records_nothing_and_frees_the_ledger(tmp_path, data, monkeypatch,
                                                                    default_ledger):
    monkeypatch.setattr(report, "KernelPool", _Interrupted)
    assert _report(data, tmp_path / "r", "--period", SPRING) == 130
    assert len(_ledger_lines(default_ledger)) == 0 and not (tmp_path / "r").exists()
    monkeypatch.setattr(report, "KernelPool", _NoKernels)
    assert _report(data, tmp_path / "r", "--period", SPRING) == 0
    assert len(_ledger_lines(default_ledger)) == 2


def test_a_ledger_that_cannot_be_updated_keeps_its_entries(tmp_path, data, quick, monkeypatch,
                                                           capsys, default_ledger):
    assert _report(data, tmp_path / "a", "--period", SPRING) == 0
    before = default_ledger.read_bytes()

    real_replace = os.replace

    def full_disk(source, target, *args, **kwargs):
        if str(target).endswith("ledger.jsonl"):
            raise OSError(28, "No space left on device")
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full_disk)
    assert _report(data, tmp_path / "b", "--period", "2024-07:2024-12") == 2
    assert "could not be updated" in capsys.readouterr().err
    assert default_ledger.read_bytes() == before
    assert sorted(p.name for p in default_ledger.parent.iterdir()) == [
        "ledger.jsonl", "ledger.jsonl.lock"]  # no temporary file left


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_a_ledger_in_use_by_another_report_is_refused(tmp_path, data, quick, capsys):
    import fcntl

    path = tmp_path / "ledger.jsonl"
    lock = os.open(tmp_path / "ledger.jsonl.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        assert _report(data, tmp_path / "r", "--ledger", path) == 2
        assert "in use by another evalkit report" in capsys.readouterr().err
    finally:
        os.close(lock)
    assert not path.exists() and not (tmp_path / "r").exists()


# -- the rule itself, on releases written by hand ------------------------------------------------

def _release(*, months=("2024-01", "2024-06"), min_cell=5, marks=("m",), partners=20,
             fingerprint="f1", period="p"):
    from evalkit.publish.ledger import Release

    return Release("2026-03-01", "Board", period, "some months", list(months), min_cell,
                   fingerprint, list(marks), {"outcome_change": {"exit": partners}}, "v")


@pytest.mark.parametrize("partners, refused", [(20, False), (21, True), (24, True), (25, False),
                                               (16, True), (15, False)])
def test_counts_that_differ_by_more_than_0_and_less_than_min_cell_are_refused(partners, refused):
    earlier = _release(partners=20)
    later = _release(months=("2024-01", "2024-07"), partners=partners, fingerprint="f2")
    assert (later.conflict(earlier) is not None) is refused


def test_only_the_same_data_in_overlapping_months_is_compared():
    earlier = _release(partners=20)
    assert _release(months=("2024-07", "2024-12"), partners=21).conflict(earlier) is None
    assert _release(months=("2024-06", "2024-12"), partners=21).conflict(earlier) is not None
    assert _release(marks=("other",), fingerprint="f9", partners=21).conflict(earlier) is None
    # A threshold is compared whatever the months: undated files are in every period.
    assert _release(months=("2025-01", "2025-06"), min_cell=4).conflict(earlier) is not None


def test_a_later_version_of_a_folder_shares_its_lineage_and_another_folder_does_not(tmp_path):
    import evalkit
    from evalkit.publish.ledger import lineage_marks

    salt = "ab" * 16
    first = set(lineage_marks(evalkit.load(_crafted(tmp_path / "first", july=0)), salt))
    grown = set(lineage_marks(evalkit.load(_crafted(tmp_path / "grown", july=3)), salt))
    assert first & grown and first != grown
    other = tmp_path / "other"
    _crafted(other)
    for name in ("participants.csv", "partner_safety.csv"):  # another programme's pseudonyms
        text = (other / name).read_text().replace("p", "q").replace("qarticiqant", "participant")
        (other / name).write_text(text)
    assert not first & set(lineage_marks(evalkit.load(other), salt))


def test_release_lines_are_read_back_exactly_and_odd_ones_refused(tmp_path):
    from evalkit.publish.ledger import Ledger, LedgerError, Release

    release = _release()
    assert Release.from_line(release.line()) == release
    for odd in ('{"title": "x"}', "[]", release.line().replace('"min_cell":5', '"min_cell":"5"'),
                release.line().replace('"exit":20', '"exit":true')):
        with pytest.raises(ValueError):
            Release.from_line(odd)
    with pytest.raises(LedgerError, match="not a file"):
        Ledger.open(tmp_path)


def test_tests_never_use_the_real_config_folder(config_folder):
    from evalkit.publish.ledger import default_ledger_path

    assert default_ledger_path().parent.parent == config_folder
    assert not str(default_ledger_path()).startswith(os.path.expanduser("~/.config"))


def test_only_counts_the_report_shows_are_people_bases():
    """A count off the funder allow-list (here ``hidden``) is never shown, so it is not kept."""
    import pandas as pd

    from evalkit.analyses.tables import Col, TableSpec
    from evalkit.publish.ledger import PublishedCounts
    from evalkit.publish.policy import Policy

    spec = TableSpec("demo", "Demo", (Col("group", "label", "group"),
                                      Col("n", "people", "people"),
                                      Col("hidden", "people", "people not shown"))).for_funder(
        group="shown", n="rounded")
    exact = pd.DataFrame({"group": ["a"], "n": [12], "hidden": [9]})
    counts = PublishedCounts("00" * 16)
    counts(spec, exact, Policy("funder").apply(exact, spec))
    assert sorted(counts.bases["demo"].values()) == [12]
    research = PublishedCounts("00" * 16)
    research(spec, exact, Policy("research").apply(exact, spec))
    assert sorted(research.bases["demo"].values()) == [9, 12]
    metrics = TableSpec("m", "M", (Col("metric", "label", "what"), Col("value", "statistic", "v")),
                        metrics=(Col("shown", "people", "a"), Col("kept_back", "people", "b"))
                        ).for_funder(shown="rounded")
    exact = pd.DataFrame({"metric": ["shown", "kept_back"], "value": [20, 7]})
    counts = PublishedCounts("00" * 16)
    counts(metrics, exact, Policy("funder").apply(exact, metrics))
    assert sorted(counts.bases["m"].values()) == [20]
