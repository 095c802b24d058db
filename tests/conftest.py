"""Shared fixtures. The environment set here reaches the kernels that nbval and nbclient start."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from evalkit.publish.notebooks import DETERMINISTIC_ENV

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

# Deterministic notebook outputs: kernels started by nbval inherit the
# same environment as `make notebooks`, whichever test happens to run first.
os.environ.update(DETERMINISTIC_ENV)

# Funder reports record what they publish in the release ledger, by default in the user's config
# folder ($XDG_CONFIG_HOME, %APPDATA% on Windows). No test may read or write the real one: the
# variables point at a scratch folder from the moment the tests are collected (so subprocesses
# and module-scoped fixtures see it too), and each module and each test gets an empty one of its
# own, so that reports made by one test are never checked against another's.
_SCRATCH_CONFIG = tempfile.mkdtemp(prefix="evalkit-test-config-")
atexit.register(shutil.rmtree, _SCRATCH_CONFIG, True)
_CONFIG_VARIABLES = ("XDG_CONFIG_HOME", "APPDATA")
os.environ.update(dict.fromkeys(_CONFIG_VARIABLES, _SCRATCH_CONFIG))


@pytest.fixture(autouse=True, scope="module")
def _module_config_folder(tmp_path_factory):
    """An empty config folder for the module-scoped fixtures of each test module."""
    folder = tmp_path_factory.mktemp("config")
    with pytest.MonkeyPatch.context() as patch:
        for name in _CONFIG_VARIABLES:
            patch.setenv(name, str(folder))
        yield folder


@pytest.fixture(autouse=True)
def config_folder(tmp_path_factory, monkeypatch) -> Path:
    """An empty config folder for each test (where a funder report's default ledger goes)."""
    folder = tmp_path_factory.mktemp("config")
    for name in _CONFIG_VARIABLES:
        monkeypatch.setenv(name, str(folder))
    return folder


def _tree(folder: Path) -> list:
    """Every entry below a folder (sockets and hidden files too) with its size and mtime."""
    return sorted((str(p.relative_to(folder)), p.lstat().st_size, p.lstat().st_mtime_ns)
                  for p in folder.rglob("*"))


def _watched() -> dict[str, list]:
    """What a report of the sample must leave as it was: the data, the notebooks, the project."""
    return {"data": _tree(SAMPLE), "notebooks": _tree(ROOT / "notebooks"),
            "project": sorted(p.name for p in ROOT.iterdir())}


class SampleReports:
    """Reports of the sample, rendered once per test run per audience and shared by the test
    files that only read them (a render takes about 20 s on two cores).

    ``reports("funder")`` is the folder of the sample's funder report; funder and research
    reports carry their PDF when Chromium is there. Tests must not change these folders: a test
    that needs a report of its own, or other options, renders it into its ``tmp_path``.
    ``untouched`` holds, for every render used, what the watched folders held before and after.

    With pytest-xdist the workers share one folder: the first worker to ask for an audience
    renders it (holding a lock on it, so another worker asking waits for it instead of
    rendering it again) and the others use its folder.
    """

    def __init__(self, root: Path):
        self.root = root
        self.made: dict[str, Path] = {}
        self.untouched: list[tuple[dict, dict]] = []

    def __call__(self, audience: str) -> Path:
        if audience not in self.made:
            folder = self.root / audience
            folder.mkdir(parents=True, exist_ok=True)
            # The lock and the record sit outside the report's folder and its parent, where
            # test_report_folder_contents looks for anything the render left behind.
            bookkeeping = self.root / "bookkeeping"
            bookkeeping.mkdir(exist_ok=True)
            with _locked(bookkeeping / f"{audience}.lock"):
                record = bookkeeping / f"{audience}.json"
                if not record.exists():
                    record.write_text(json.dumps(self._render(audience, folder / "sample")))
                before, after = json.loads(record.read_text())
            self.untouched.append((before, after))
            self.made[audience] = folder / "sample"
        return self.made[audience]

    def _render(self, audience: str, out: Path) -> tuple[dict, dict]:
        from evalkit.publish import report

        if str(ROOT / "tools") not in sys.path:
            sys.path.insert(0, str(ROOT / "tools"))
        import browser  # the project's own developer tool

        pdf = audience != "internal" and browser.chromium() is not None
        before = _watched()
        # A config folder of its own: its ledger entry never meets a test's funder report.
        with pytest.MonkeyPatch.context() as patch:
            for name in _CONFIG_VARIABLES:
                patch.setenv(name, str(out.parent / "config"))
            report.render_report(SAMPLE, out_dir=out, audience=audience, pdf=pdf,
                                 show_progress=False)
        # Through JSON, as the other workers read it, so every worker compares the same way.
        return json.loads(json.dumps(before)), json.loads(json.dumps(_watched()))


@contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on ``path`` (shared by the xdist workers) while the block runs."""
    try:
        import fcntl
    except ImportError:  # no POSIX locks (Windows): workers render their own copies
        yield
        return
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def sample_reports(request, tmp_path_factory) -> SampleReports:
    """The sample's reports, one per audience, rendered on first use (see SampleReports).

    Under pytest-xdist every worker's base temporary folder sits in one folder of the run,
    which holds the shared reports.
    """
    base = tmp_path_factory.getbasetemp()
    worker = getattr(request.config, "workerinput", None) is not None and os.name != "nt"
    return SampleReports((base.parent if worker else base) / "sample-reports")


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the synthetic sample (CSV files only)."""
    target = tmp_path / "data"
    target.mkdir()
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, target / path.name)
    return target


def answers_summing_to(total: int, items: int) -> list[int]:
    """Answers of 1-5 to ``items`` items that add up to ``total`` (filled from the first item)."""
    if not items <= total <= 5 * items:
        raise ValueError(f"{total} cannot be the sum of {items} answers of 1-5")
    answers = [1] * items
    extra = total - items
    for i in range(items):
        step = min(4, extra)
        answers[i] += step
        extra -= step
    return answers


# Tests that broke when eight branches of this turn were merged into one, and that there was no
# time left to reconcile. Each is listed with the reason; the next session fixes the code or the
# test and removes it from this list (strict=False: a test that passes again is reported XPASS).
KNOWN_AFTER_MERGE = {
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = KNOWN_AFTER_MERGE.get(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=False))
