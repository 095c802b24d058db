"""Report folders: evalkit never deletes what it did not make, and replacing is all or nothing."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
from contextlib import suppress
from pathlib import Path

import pytest
from tests.conftest import ROOT, SAMPLE

from evalkit.cli import main
from evalkit.errors import OutputFolderError
from evalkit.io import outfolder
from evalkit.io.outfolder import REPORT_MARKER, check_report_folder, report_folder


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fake home folder holding a data folder and the user's other files."""
    folder = tmp_path / "home" / "user"
    (folder / "evalkit-data" / "2026").mkdir(parents=True)
    (folder / "evalkit-data" / "2026" / "attendance.csv").write_text("participant_id\n")
    (folder / "thesis.docx").write_text("precious")
    monkeypatch.setenv("HOME", str(folder))
    return folder


def _check(out, data, repo=None):
    return check_report_folder(out, data_dir=data, repo_root=repo)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _old_report(folder: Path) -> Path:
    """A report folder as evalkit writes it: a page, a results folder and the marker."""
    with report_folder(folder, data_dir=folder.parent / "no-data", repo_root=None) as staging:
        (staging / "report.html").write_text("old report")
        (staging / "results").mkdir()
        (staging / "results" / "attendance.csv").write_text("group,people\nall,<5\n")
    return folder


# --- what is refused ----------------------------------------------------------------------------


def test_parent_of_the_data_folder_is_refused(home):
    data = home / "evalkit-data" / "2026"
    with pytest.raises(OutputFolderError, match="contains the data folder"):
        _check(data.parent, data)
    with pytest.raises(OutputFolderError, match="it is the data folder"):
        _check(data, data)
    with pytest.raises(OutputFolderError, match="lies inside the data folder"):
        _check(data / "report", data)


def test_relative_out_resolving_into_the_data_folder_is_refused(home, monkeypatch):
    data = home / "evalkit-data" / "2026"
    monkeypatch.chdir(data)
    with pytest.raises(OutputFolderError, match="it is the data folder"):
        _check(".", data)
    with pytest.raises(OutputFolderError, match="contains the data folder"):
        _check("..", "../2026")
    with pytest.raises(OutputFolderError, match="lies inside the data folder"):
        _check("sub/../rep", Path("."))


def test_out_through_a_link_into_the_data_folder_is_refused(home, tmp_path):
    data = home / "evalkit-data" / "2026"
    (tmp_path / "shortcut").symlink_to(data)
    with pytest.raises(OutputFolderError, match="lies inside the data folder"):
        _check(tmp_path / "shortcut" / "report", data)
    with pytest.raises(OutputFolderError, match="symbolic link"):
        _check(tmp_path / "shortcut", tmp_path / "elsewhere")


def test_the_checkout_is_refused_but_its_reports_folder_is_not(tmp_path, monkeypatch):
    repo = tmp_path / "checkout"
    (repo / "src").mkdir(parents=True)
    (repo / "README.md").write_text("readme")
    data = tmp_path / "data"
    monkeypatch.chdir(repo)
    for out, why in ((".", "it is the evalkit checkout"), ("src/x", "lies inside the evalkit"),
                     (tmp_path, "contains the data folder"), ("..", "contains")):
        with pytest.raises(OutputFolderError, match=why):
            _check(out, data, repo)
    assert _check("reports/sample", data, repo) == repo / "reports" / "sample"


def test_the_real_checkout_is_protected(capsys):
    for out in (ROOT, ROOT / "notebooks" / "rep", ROOT / "data" / "sample" / "rep", ROOT / "src"):
        assert main(["report", str(SAMPLE), "--out", str(out)]) == 2
        assert "refusing to write the report" in capsys.readouterr().err


def test_home_and_the_top_of_the_file_system_are_refused(home, tmp_path):
    data = tmp_path / "data"
    with pytest.raises(OutputFolderError, match="your home folder"):
        _check(home, data)
    with pytest.raises(OutputFolderError, match="your home folder"):
        _check("~", data)
    with pytest.raises(OutputFolderError, match="contains your home folder"):
        _check(home.parent, data)
    with pytest.raises(OutputFolderError, match="top of the file system|home folder"):
        _check("/", data)
    assert _check(home / "evalkit-reports" / "2026", data).name == "2026"


def test_an_existing_file_is_refused(tmp_path):
    target = tmp_path / "report"
    target.write_text("not a folder")
    with pytest.raises(OutputFolderError, match="it is a file, not a folder"):
        _check(target, tmp_path / "data")


def test_a_folder_without_the_marker_is_refused(home, tmp_path):
    target = home / "Documents"
    target.mkdir()
    (target / "letter.txt").write_text("precious")
    with pytest.raises(OutputFolderError, match="choose an empty or new folder") as info:
        _check(target, tmp_path / "data")
    assert ".evalkit-report" in str(info.value)
    # A marker that is a folder, a link or a different file does not count.
    (target / REPORT_MARKER).mkdir()
    with pytest.raises(OutputFolderError):
        _check(target, tmp_path / "data")
    (target / REPORT_MARKER).rmdir()
    (target / REPORT_MARKER).symlink_to(target / "letter.txt")
    with pytest.raises(OutputFolderError):
        _check(target, tmp_path / "data")


def test_an_empty_folder_and_a_marked_folder_are_accepted(tmp_path):
    (tmp_path / "empty").mkdir()
    assert _check(tmp_path / "empty", tmp_path / "data") == tmp_path / "empty"
    _old_report(tmp_path / "old")
    assert _check(tmp_path / "old", tmp_path / "data") == tmp_path / "old"


def test_cli_refuses_an_existing_file_before_any_work(tmp_path, capsys, monkeypatch):
    from evalkit.publish import report

    ran = []
    monkeypatch.setattr(report, "load", lambda *a, **k: ran.append("load"))
    target = tmp_path / "report.html"
    target.write_text("mine")
    assert main(["report", str(SAMPLE), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "it is a file, not a folder" in err and "Traceback" not in err
    assert ran == [] and target.read_text() == "mine"


# --- replacing --------------------------------------------------------------------------------


def test_marked_folder_is_replaced_with_the_new_report(tmp_path):
    old = _old_report(tmp_path / "report")
    with report_folder(old, data_dir=tmp_path / "data", repo_root=None) as staging:
        assert staging.parent == tmp_path and staging.name.startswith(".report.")
        assert (staging / REPORT_MARKER).is_file()
        (staging / "report.html").write_text("new report")
    assert (old / "report.html").read_text() == "new report"
    assert (old / REPORT_MARKER).read_text().startswith("evalkit report folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_failure_keeps_the_old_report_and_removes_staging(tmp_path):
    old = _old_report(tmp_path / "report")
    with pytest.raises(RuntimeError):
        with report_folder(old, data_dir=tmp_path / "data", repo_root=None) as staging:
            (staging / "report.html").write_text("half")
            raise RuntimeError("notebook failed")
    assert (old / "report.html").read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_crash_between_the_renames_restores_the_old_report(tmp_path, monkeypatch):
    old = _old_report(tmp_path / "report")
    real_rename = os.rename
    calls = []

    def failing_rename(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 2:  # moving the new report in
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)

    monkeypatch.setattr(outfolder.os, "rename", failing_rename)
    with pytest.raises(OutputFolderError, match="old one, if any, is unchanged"):
        with report_folder(old, data_dir=tmp_path / "data", repo_root=None) as staging:
            (staging / "report.html").write_text("new")
    assert calls[0][0] == "report" and ".evalkit-old-" in calls[0][1]  # old moved aside first
    assert (old / "report.html").read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_run_killed_outright_is_recovered_next_time(tmp_path):
    """SIGKILL between the two renames leaves the old report aside and a staging folder."""
    old = _old_report(tmp_path / "report")
    aside = tmp_path / ".report.evalkit-old-999999-abcd"
    os.rename(old, aside)
    dead = tmp_path / ".report.evalkit-staging-999999-xyz"
    dead.mkdir()
    outfolder.REPORT.write(dead)
    (dead / "report.html").write_text("half written")
    # A staging folder of a running process, a folder evalkit did not make and a marker copied
    # into a folder named like a dead run's staging folder are left alone.
    alive = tmp_path / f".report.evalkit-staging-{os.getpid()}-live"
    alive.mkdir()
    outfolder.REPORT.write(alive)
    copied = tmp_path / ".report.evalkit-staging-999998-copy"
    copied.mkdir()
    (copied / REPORT_MARKER).write_bytes((alive / REPORT_MARKER).read_bytes())
    foreign = tmp_path / ".report.evalkit-old-1-foreign"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("mine")
    assert _check(old, tmp_path / "data") == old  # missing now: a new folder is fine
    outfolder.recover(old, outfolder.REPORT)
    assert (old / "report.html").read_text() == "old report"
    assert not dead.exists() and not aside.exists()
    assert alive.exists() and (foreign / "mine.txt").exists() and copied.exists()


def test_signal_handlers_are_restored(tmp_path):
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with report_folder(tmp_path / "r", data_dir=tmp_path / "data", repo_root=None):
        assert signal.getsignal(signal.SIGTERM) is not before[0]
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


_STAGE_AND_SLEEP = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from evalkit.io.outfolder import report_folder
    out, data = Path(sys.argv[1]), Path(sys.argv[2])
    with report_folder(out, data_dir=data, repo_root=None) as staging:
        (staging / "report.html").write_text("new report")
        print(staging, flush=True)
        time.sleep(60)
""")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_killed_run_leaves_no_staging_and_the_old_report(tmp_path, signum):
    old = _old_report(tmp_path / "report")
    before = _snapshot(old)
    proc = subprocess.Popen([sys.executable, "-c", _STAGE_AND_SLEEP, str(old), str(tmp_path / "d")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    staging = Path(proc.stdout.readline().strip())
    assert staging.is_dir() and (staging / "report.html").exists()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert not staging.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    assert _snapshot(old) == before
    if signum == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM and "Traceback" not in err


def test_cli_report_killed_with_sigterm(tmp_path):
    """The real command: SIGTERM while notebooks run leaves the old report and no staging."""
    old = _old_report(tmp_path / "report")
    before = _snapshot(old)
    proc = subprocess.Popen([sys.executable, "-m", "evalkit.cli", "report", str(SAMPLE), "--out",
                             str(old)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(p.name.startswith(".report.evalkit-staging") for p in tmp_path.iterdir()):
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the report never started staging")
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    # The kernel, a child process sharing stderr, may print its own ZMQ traceback while it is
    # shut down; evalkit itself prints one line and no traceback of its own.
    assert "stopped by SIGTERM; the output folder was left as it was" in err
    assert "/evalkit/" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    assert _snapshot(old) == before


# --- issue 23: a folder is replaced only when it holds exactly what evalkit wrote there ----------


def _no_work(monkeypatch):
    """Make any report that gets past the folder check fail the test before it loads data."""
    from evalkit.publish import report

    monkeypatch.setattr(report, "load", lambda *a, **k: pytest.fail("the report started"))


def test_a_second_report_keeps_the_files_the_user_saved_there(tmp_path, capsys, monkeypatch):
    old = _old_report(tmp_path / "report")
    (old / "board-notes.docx").write_bytes(b"the board's notes")
    (old / "results" / "keep.txt").write_text("mine, beside evalkit's tables")
    (old / "extra").mkdir()
    (old / "extra" / "keep.txt").write_text("mine")
    before = _snapshot(old)
    _no_work(monkeypatch)
    assert main(["report", str(SAMPLE), "--out", str(old)]) == 2
    err = capsys.readouterr().err
    assert "board-notes.docx" in err and "extra/" in err and "results/keep.txt" in err
    assert "move those files out of the folder, or choose another --out" in err
    assert "the board's notes" not in err and "mine" not in err
    assert _snapshot(old) == before


def test_a_changed_report_file_is_refused_and_a_deleted_one_is_fine(tmp_path):
    old = _old_report(tmp_path / "report")
    (old / "results" / "attendance.csv").unlink()  # gone: nothing of the user's is lost
    assert _check(old, tmp_path / "data") == old
    (old / "report.html").write_text("old report, with my comments")
    with pytest.raises(OutputFolderError, match=r"changed after it wrote them: report\.html\."):
        _check(old, tmp_path / "data")


def test_a_folder_with_a_copied_marker_loses_nothing(tmp_path, monkeypatch, capsys):
    report = _old_report(tmp_path / "report")
    minutes = tmp_path / "minutes"
    minutes.mkdir()
    (minutes / "minutes.docx").write_text("minutes of the meeting")
    shutil.copy(report / REPORT_MARKER, minutes / REPORT_MARKER)
    _no_work(monkeypatch)
    assert main(["report", str(SAMPLE), "--out", str(minutes)]) == 2
    err = capsys.readouterr().err
    assert "written for another folder" in err and "minutes.docx" in err
    assert (minutes / "minutes.docx").read_text() == "minutes of the meeting"
    # A copy of a whole report is not taken for the report either; the report itself still is.
    shutil.copytree(report, tmp_path / "copy")
    with pytest.raises(OutputFolderError, match="written for another folder"):
        _check(tmp_path / "copy", tmp_path / "data")
    assert _check(report, tmp_path / "data") == report


def test_a_marker_that_lists_nothing_vouches_for_nothing(tmp_path):
    """A marker written by hand or by an older evalkit (no list) does not make files evalkit's."""
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / REPORT_MARKER).write_text("evalkit report folder. old\n")
    assert _check(folder, tmp_path / "data") == folder  # the marker alone: nothing to lose
    (folder / "report.html").write_text("maybe mine")
    with pytest.raises(OutputFolderError, match="lists no files"):
        _check(folder, tmp_path / "data")


def test_a_refusal_names_ten_files_and_escapes_their_names(tmp_path):
    old = _old_report(tmp_path / "report")
    for n in range(14):
        (old / f"note{n:02d}.txt").write_text("mine")
    (old / "evil\x1b[2J.txt").write_text("mine")
    with pytest.raises(OutputFolderError) as info:
        _check(old, tmp_path / "data")
    message = str(info.value)
    assert "evil\\x1b[2J.txt" in message and "\x1b" not in message
    assert "note08.txt" in message and "note09.txt" not in message and "and 5 more" in message


def test_files_that_appear_during_the_swap_are_kept(tmp_path, monkeypatch, capsys):
    """The last guard: deleting the old report deletes only the files its marker lists."""
    old = _old_report(tmp_path / "report")
    real_rename = os.rename

    def rename_then_user_saves(src, dst):
        real_rename(src, dst)
        if ".evalkit-old-" in Path(dst).name:
            (Path(dst) / "late.docx").write_text("saved just now")

    monkeypatch.setattr(outfolder.os, "rename", rename_then_user_saves)
    with report_folder(old, data_dir=tmp_path / "data", repo_root=None) as staging:
        (staging / "report.html").write_text("new report")
    assert (old / "report.html").read_text() == "new report"
    kept = [p for p in tmp_path.iterdir() if ".evalkit-old-" in p.name]
    assert len(kept) == 1 and (kept[0] / "late.docx").read_text() == "saved just now"
    assert sorted(p.name for p in kept[0].iterdir()) == [REPORT_MARKER, "late.docx"]
    assert str(kept[0]) in capsys.readouterr().err
    outfolder.recover(old, outfolder.REPORT)  # the next run does not delete it either
    assert (kept[0] / "late.docx").exists()


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o700])
def test_the_folder_given_keeps_its_permissions(tmp_path, mode):
    empty = tmp_path / "empty"
    empty.mkdir()
    os.chmod(empty, mode)
    with report_folder(empty, data_dir=tmp_path / "data", repo_root=None) as staging:
        (staging / "report.html").write_text("new")
    assert stat.S_IMODE(empty.stat().st_mode) == mode
    with report_folder(empty, data_dir=tmp_path / "data", repo_root=None) as staging:
        (staging / "report.html").write_text("newer")
    assert stat.S_IMODE(empty.stat().st_mode) == mode
    assert (empty / "report.html").read_text() == "newer"


# --- issue 23: scratch folders of runs killed outright ---------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_the_next_run_removes_the_scratch_folders_of_a_killed_run(tmp_path, monkeypatch):
    """SIGKILL while a notebook runs leaves evalkit-run-* and evalkit-kernel-* folders; the next
    run removes them, and nothing else in the temporary folder."""
    import tempfile as system_tempfile

    import nbformat

    from evalkit.publish.notebooks import execute

    # A short private temporary folder (kernel sockets have a short length limit).
    scratch_root = Path(system_tempfile.mkdtemp(prefix="ek23-", dir="/tmp"))
    try:
        env = {**os.environ, "TMPDIR": str(scratch_root)}
        proc = subprocess.Popen([sys.executable, "-m", "evalkit.cli", "report", str(SAMPLE),
                                 "--out", str(tmp_path / "report")], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not any(p.name.startswith("evalkit-kernel-") for p in scratch_root.iterdir()):
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("the report never started a kernel")
            time.sleep(0.05)
        kernels = _children(proc.pid)
        proc.kill()
        proc.wait(timeout=30)
        for pid in kernels:  # the kernel, started by the run just killed
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        left = sorted(p.name.split("-")[1] for p in scratch_root.iterdir())
        assert left == ["kernel", "run"]
        (scratch_root / "someone-elses").mkdir()
        monkeypatch.setattr(system_tempfile, "tempdir", str(scratch_root))
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
        execute(nb, cwd=tmp_path)  # the next run
        assert sorted(p.name for p in scratch_root.iterdir()) == ["someone-elses"]
    finally:
        shutil.rmtree(scratch_root, ignore_errors=True)


@pytest.mark.skipif(getattr(os, "getuid", lambda: 1)() != 0, reason="needs root to fake a user")
def test_another_users_scratch_folder_is_never_removed(tmp_path):
    dead = 999999999
    folder = tmp_path / f"evalkit-kernel-{dead}-theirs"
    folder.mkdir()
    (folder / ".evalkit-scratch").write_text(outfolder._scratch_text(dead))
    os.chown(folder, 12345, 12345)
    assert outfolder.remove_dead_scratch_folders(tmp_path) == [] and folder.exists()
    os.chown(folder, os.getuid(), os.getgid())
    assert outfolder.remove_dead_scratch_folders(tmp_path) == [folder]


def test_only_dead_runs_scratch_folders_are_removed(tmp_path):
    dead = 999999999
    ours = tmp_path / f"evalkit-run-{dead}-ours"
    ours.mkdir()
    (ours / ".evalkit-scratch").write_text(outfolder._scratch_text(dead))
    (ours / "kernel.json").write_text("{}")
    unmarked = tmp_path / f"evalkit-run-{dead}-unmarked"  # not made by evalkit
    unmarked.mkdir()
    (unmarked / "mine.txt").write_text("mine")
    alive = tmp_path / f"evalkit-run-{os.getpid()}-alive"  # its process still runs
    alive.mkdir()
    (alive / ".evalkit-scratch").write_text(outfolder._scratch_text(os.getpid()))
    elsewhere = tmp_path / f"evalkit-run-{dead}-elsewhere"  # made on another machine
    elsewhere.mkdir()
    (elsewhere / ".evalkit-scratch").write_text(
        outfolder._scratch_text(dead).replace(socket.gethostname(), "another-host"))
    (tmp_path / f"evalkit-run-{dead}-link").symlink_to(ours)
    assert outfolder.remove_dead_scratch_folders(tmp_path) == [ours]
    assert unmarked.exists() and alive.exists() and elsewhere.exists()
