"""Output folders that can never cost the user a file.

evalkit writes a report (and a pseudonymised copy of a data folder) into a folder the user names.
Four rules keep that safe:

1. **evalkit only replaces what it made, as it made it.** Every folder it writes holds a marker
   file (``.evalkit-report`` for reports) that lists every file and folder evalkit wrote there,
   with each file's size and SHA-256, and is bound to that folder (its inode number, so a marker
   copied into another folder lists nothing there). An existing folder is replaced only when
   every file in it is listed with the same size and hash and every folder in it is listed; a
   listed file that has gone is fine (nothing of the user's is lost). A file the marker does not
   list, or a listed file that was changed, means the user worked there: the folder is refused
   and the message names (up to ten of) those files. An empty folder may be used. A file, a
   symbolic link, the top of the file system and the home folder (or a folder that contains it)
   are refused.
2. **The output never overlaps what it must not touch.** The output folder may not be, contain or
   lie inside the data folder or the evalkit checkout (except the checkout's git-ignored
   ``reports/`` folder).
3. **Replacing is all or nothing.** The new folder is built in a hidden staging folder beside the
   target. When it is complete, the old folder is renamed aside, the new one renamed into place
   (with the old folder's permissions) and only then are the old folder's listed files deleted,
   one by one after checking their hashes again; anything else stays. SIGINT and SIGTERM are held
   back during those renames. A failure, SIGINT or SIGTERM while the folder is being built
   removes the staging folder and leaves the old folder as it was. If the process is killed
   outright (SIGKILL, power cut), the next run restores the old folder if it had been moved aside
   and removes the dead run's staging folder.
4. **Scratch folders do not pile up.** The private folders a run makes in the system temporary
   folder (:func:`scratch_folder`) are removed at its end; those of runs killed outright are
   removed by the next run, only when they are this user's, were made by evalkit on this machine
   and their process has ended.

All checks happen before any work starts (:func:`check_report_folder`); :func:`report_folder` runs
them again just before the new folder is moved into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputFolderError

REPORT_MARKER = ".evalkit-report"
_REPORT_MARKER_TEXT = (
    "evalkit report folder. This folder was written by 'evalkit report'. evalkit replaces it when "
    "asked to write a report here again, but only while it holds exactly what is listed below: "
    "any other file, or a listed file that was changed, is yours, and evalkit then refuses. "
    "Delete this file to stop evalkit replacing the folder.\n"
)
_STAGING = "evalkit-staging"
_OLD = "evalkit-old"
CHOOSE = "choose an empty or new folder"
#: How many unknown or changed files a refusal names.
FILES_SHOWN = 10
# A marker longer than this is not read (a real one lists a few hundred files).
_MARKER_MAX_BYTES = 64 * 1024 * 1024
_FOLDER_LINE = re.compile(r"^folder_id = (\d+)$", re.M)
_DIR_LINE = re.compile(r'^dir = (".*")$', re.M)
_FILE_LINE = re.compile(r'^file = (\d+) ([0-9a-f]{64}) (".*")$', re.M)


class Terminated(SystemExit):
    """SIGTERM arrived while an output folder was being built; exits with status 128 + 15.

    Raised in the main thread, so that the staging folder is removed before the process exits.

    Examples
    --------
    >>> Terminated(128 + 15).code
    143
    """


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _walk(folder: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk`` of ``folder`` in name order, with paths relative to it ("" for the top),
    never following a symbolic link."""
    def fail(error: OSError) -> None:
        raise error

    for dirpath, dirnames, filenames in os.walk(folder, onerror=fail):
        dirnames.sort()
        rel = os.path.relpath(dirpath, folder)
        yield ("" if rel == "." else Path(rel).as_posix()), dirnames, sorted(filenames)


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


def shown_path(relative: str) -> str:
    """A relative path as a message shows it: characters that would not print are escaped.

    A file name is the user's, so it is shown, but a control character in it (an ANSI escape, a
    line break, a right-to-left override) must not act on the terminal.

    Parameters
    ----------
    relative
        A path relative to an output folder.

    Returns
    -------
    str
        The path with every unprintable character written as a Python escape.

    Examples
    --------
    >>> shown_path("notes\\x1b[31m.docx")
    'notes\\\\x1b[31m.docx'
    >>> shown_path("r\\u00e9union/plan.txt")
    'réunion/plan.txt'
    """
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace")
                   .decode("ascii") for ch in relative)


@dataclass(frozen=True)
class Record:
    """What a marker says evalkit wrote into its folder.

    Parameters
    ----------
    files
        Relative path (``/``-separated) -> (size in bytes, SHA-256 in hex) of every file.
    folders
        Relative paths of every folder evalkit made inside.
    why_empty
        When the marker cannot vouch for anything in this folder, why (for messages): it was
        written for another folder, or lists nothing; "" otherwise.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "report.html").write_text("hello")
    >>> REPORT.write(folder)
    >>> REPORT.record(folder).files["report.html"][0]
    5
    """

    files: dict[str, tuple[int, str]]
    folders: frozenset[str]
    why_empty: str = ""

    def lists(self, relative: str, path: Path) -> bool:
        """Whether ``path`` is a regular file listed as ``relative`` with its size and hash.

        Parameters
        ----------
        relative
            The file's path relative to the folder.
        path
            The file.

        Returns
        -------
        bool
            False for a file not listed, changed, unreadable, or not a regular file.

        Examples
        --------
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "a.csv").write_text("x")
        >>> REPORT.write(folder)
        >>> _ = (folder / "a.csv").write_text("y")
        >>> REPORT.record(folder).lists("a.csv", folder / "a.csv")
        False
        """
        expected = self.files.get(relative)
        if expected is None:
            return False
        try:
            info = path.lstat()
            return (stat.S_ISREG(info.st_mode) and info.st_size == expected[0]
                    and _sha256(path) == expected[1])
        except OSError:
            return False


_NOTHING = Record({}, frozenset())


@dataclass(frozen=True)
class Marker:
    """The file that says evalkit made a folder, and lists what it wrote there.

    Parameters
    ----------
    name
        The file's name, e.g. ``.evalkit-report``.
    text
        What the file says before its list (its first line starts with ``signature``).
    what
        What the folder is, for messages: ``"report"``, ``"pseudonymised copy"``.
    signature
        How the first line starts (the rest may be reworded between versions).
    option
        How messages name the folder the user chose: ``"--out"``, ``"OUT_DIR"``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> REPORT.found_in(folder)
    False
    >>> REPORT.write(folder)
    >>> REPORT.found_in(folder)
    True
    """

    name: str
    text: str
    what: str  # "report", "pseudonymised copy": for messages
    signature: str  # how the first line starts (the rest may be reworded between versions)
    option: str = "--out"

    def write(self, folder: Path, extra: str = "") -> None:
        """Write the marker into ``folder``, listing everything the folder holds now.

        The list binds the marker to ``folder`` (its inode number, which a rename keeps and a
        copy does not) and gives every file's size and SHA-256 and every folder inside. Write
        it last, when everything else is in place.

        Parameters
        ----------
        folder
            The output folder (or its staging folder).
        extra
            Text written after the marker's own and before the list (a key fingerprint, say).

        Examples
        --------
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> (folder / "results").mkdir()
        >>> _ = (folder / "results" / "a.csv").write_text("x")
        >>> REPORT.write(folder, "made for the March board\\n")
        >>> print((folder / ".evalkit-report").read_text().split("\\n", 1)[1])  # doctest: +ELLIPSIS
        made for the March board
        folder_id = ...
        dir = "results"
        file = 1 2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 "results/a.csv"
        <BLANKLINE>
        """
        lines = [f"folder_id = {os.stat(folder).st_ino}"]
        for rel, dirnames, filenames in _walk(folder):
            lines += [f"dir = {json.dumps(_join(rel, d))}" for d in dirnames]
            for name in filenames:
                if not rel and name == self.name:
                    continue
                path = folder / rel / name
                info = path.lstat()
                if stat.S_ISREG(info.st_mode):  # evalkit writes nothing else
                    lines.append(f"file = {info.st_size} {_sha256(path)} "
                                 f"{json.dumps(_join(rel, name))}")
        (folder / self.name).write_text(self.text + extra + "\n".join(lines) + "\n",
                                        encoding="utf-8")

    def found_in(self, folder: Path) -> bool:
        """Whether ``folder`` holds this marker as a regular file with the expected first line.

        Parameters
        ----------
        folder
            The folder to look in.

        Returns
        -------
        bool
            False for a missing file, a symbolic link, or a file that cannot be read or starts
            otherwise.

        Examples
        --------
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / ".evalkit-report").write_text("my own notes")
        >>> REPORT.found_in(folder)
        False
        """
        path = folder / self.name
        if path.is_symlink() or not path.is_file():
            return False
        try:
            with path.open(encoding="utf-8") as handle:
                first = handle.readline(4096)
        except (OSError, UnicodeDecodeError):
            return False
        return first.startswith(self.signature)

    def record(self, folder: Path) -> Record | None:
        """What the marker in ``folder`` lists, or None when the folder holds no marker.

        A marker bound to another folder (copied, or the folder was copied), one that lists
        nothing (written by an evalkit before 0.2) or one that cannot be read vouches for
        nothing: its record is empty and says why.

        Parameters
        ----------
        folder
            The folder to look in.

        Returns
        -------
        Record or None
            The files and folders listed.

        Examples
        --------
        >>> import shutil, tempfile
        >>> base = Path(tempfile.mkdtemp())
        >>> (base / "a").mkdir()
        >>> REPORT.write(base / "a")
        >>> _ = shutil.copytree(base / "a", base / "b")
        >>> REPORT.record(base / "b").why_empty
        'its .evalkit-report was written for another folder (copied?)'
        """
        if not self.found_in(folder):
            return None
        path = folder / self.name
        try:
            if path.stat().st_size > _MARKER_MAX_BYTES:
                raise ValueError("too long")
            text = path.read_text(encoding="utf-8")
            bound = _FOLDER_LINE.search(text)
            if bound is None:
                return Record({}, frozenset(), f"its {self.name} lists no files (an older "
                              "evalkit wrote it)")
            if int(bound.group(1)) != os.stat(folder).st_ino:
                return Record({}, frozenset(), f"its {self.name} was written for another "
                              "folder (copied?)")
            files = {json.loads(m.group(3)): (int(m.group(1)), m.group(2))
                     for m in _FILE_LINE.finditer(text)}
            folders = frozenset(json.loads(m.group(1)) for m in _DIR_LINE.finditer(text))
        except (OSError, UnicodeDecodeError, ValueError):
            return Record({}, frozenset(), f"its {self.name} cannot be read")
        return Record(files, folders)

    def unknown_in(self, folder: Path, limit: int = 1000) -> list[str]:
        """Everything in ``folder`` that the marker does not vouch for, in name order.

        A file not listed or changed since, a folder not listed (shown with a trailing ``/`` and
        not looked into), a symbolic link or any other kind of file. Listed files that have gone
        are not mentioned.

        Parameters
        ----------
        folder
            An existing folder.
        limit
            Stop after this many.

        Returns
        -------
        list of str
            Paths relative to ``folder``; empty when replacing it loses nothing of the user's.

        Examples
        --------
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "report.html").write_text("report")
        >>> REPORT.write(folder)
        >>> (folder / "extra").mkdir()
        >>> _ = (folder / "extra" / "keep.txt").write_text("mine")
        >>> _ = (folder / "board-notes.docx").write_text("mine")
        >>> REPORT.unknown_in(folder)
        ['extra/', 'board-notes.docx']
        """
        record = self.record(folder) or _NOTHING
        marked = record is not _NOTHING
        unknown: list[str] = []
        for rel, dirnames, filenames in _walk(folder):
            for name in list(dirnames):
                path = _join(rel, name)
                if path not in record.folders or (folder / path).is_symlink():
                    unknown.append(path + "/")
                    dirnames.remove(name)  # not looked into: all of it is the user's
            for name in filenames:
                path = _join(rel, name)
                if marked and path == self.name:
                    continue
                if not record.lists(path, folder / path):
                    unknown.append(path)
            if len(unknown) >= limit:
                break
        return unknown[:limit]

    def remove_own(self, folder: Path) -> bool:
        """Delete from ``folder`` only what the marker vouches for; True when nothing is left.

        Each listed file is deleted after its size and hash are checked again, each listed
        folder only when it is empty, the marker last and ``folder`` itself only when empty.
        Anything else stays where it is, and so does the marker beside it.

        Parameters
        ----------
        folder
            An earlier output (or an empty folder).

        Returns
        -------
        bool
            Whether ``folder`` is gone.

        Examples
        --------
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp()) / "report"
        >>> folder.mkdir()
        >>> _ = (folder / "report.html").write_text("report")
        >>> REPORT.write(folder)
        >>> _ = (folder / "minutes.docx").write_text("mine")
        >>> REPORT.remove_own(folder), sorted(p.name for p in folder.iterdir())
        (False, ['.evalkit-report', 'minutes.docx'])
        """
        record = self.record(folder) or _NOTHING
        walked = list(_walk(folder))
        for rel, dirnames, filenames in reversed(walked):  # deepest folders first
            for name in filenames:
                path = _join(rel, name)
                if path != self.name and record.lists(path, folder / path):
                    os.unlink(folder / path)
            for name in dirnames:
                if _join(rel, name) in record.folders and not (folder / rel / name).is_symlink():
                    with suppress(OSError):  # not empty: something of the user's is inside
                        os.rmdir(folder / rel / name)
        if record is not _NOTHING and [p.name for p in folder.iterdir()] == [self.name]:
            os.unlink(folder / self.name)
        with suppress(OSError):
            os.rmdir(folder)
        return not os.path.lexists(folder)


REPORT = Marker(REPORT_MARKER, _REPORT_MARKER_TEXT, "report", "evalkit report folder")


@dataclass(frozen=True)
class Protected:
    """A folder an output folder must not be, contain or lie inside.

    Parameters
    ----------
    path
        The folder.
    label
        What messages call it: ``"the data folder"``, ``"the evalkit checkout"``.
    allow_inside
        A subfolder where output is fine (the checkout's ``reports/``), or None.

    Examples
    --------
    >>> import tempfile
    >>> data = Path(tempfile.mkdtemp())
    >>> try:
    ...     check_output_folder(data / "report", marker=REPORT,
    ...                         protected=[Protected(data, "the data folder")])
    ... except OutputFolderError as exc:
    ...     print(str(exc).split(": ")[1].split(" /")[0])
    it lies inside the data folder
    """

    path: Path
    label: str  # "the data folder", "the evalkit checkout"
    allow_inside: Path | None = None  # a subfolder where output is fine (the checkout's reports/)


def absolute_path(path: str | os.PathLike) -> Path:
    """The absolute form of a path the user gave, with ``~`` expanded and links kept.

    Parameters
    ----------
    path
        A path as typed on the command line or passed from Python.

    Returns
    -------
    pathlib.Path
        The absolute path; nothing on disk is touched.

    Examples
    --------
    >>> absolute_path("~/reports").is_absolute()
    True
    """
    return Path(os.path.abspath(os.path.expanduser(os.fspath(path))))


def resolved_path(path: Path) -> Path:
    """The path with symbolic links resolved; a loop of links is the user's to fix.

    Parameters
    ----------
    path
        An absolute path (see :func:`absolute_path`).

    Returns
    -------
    pathlib.Path
        The real path the operating system would open.

    Raises
    ------
    OutputFolderError
        When the links form a loop or cannot be read.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "link").symlink_to(folder / "link")
    >>> resolved_path(folder / "link")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    evalkit.errors.OutputFolderError: ...link cannot be followed ...
    """
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        raise OutputFolderError(f"{path} cannot be followed (a loop of symbolic links?); "
                                f"{CHOOSE}.") from None


def _same(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def is_within(child: Path, folder: Path) -> bool:
    """Whether ``child`` is ``folder`` or lies inside it.

    Real files are compared, so links and letter case on case-insensitive systems cannot hide
    that a path lies inside a folder.

    Parameters
    ----------
    child
        The path to test.
    folder
        The folder it may lie in.

    Returns
    -------
    bool
        True when ``child`` or one of its parents is ``folder``.

    Examples
    --------
    >>> is_within(Path("/data/sample/results"), Path("/data"))
    True
    >>> is_within(Path("/data2"), Path("/data"))
    False
    """
    return any(_same(p, folder) for p in (child, *child.parents))


def home_folder() -> Path | None:
    """The user's home folder (``$HOME``), or None when it cannot be found.

    Returns
    -------
    Path or None
        The home folder with symbolic links resolved.

    Examples
    --------
    >>> home = home_folder()
    >>> home is None or home.is_absolute()
    True
    """
    try:
        return resolved_path(absolute_path(Path.home()))
    except (RuntimeError, KeyError, OSError, OutputFolderError):
        return None


def checkout_root() -> Path | None:
    """The evalkit checkout this code runs from, or None for an installed copy.

    A checkout is a folder with ``pyproject.toml`` and ``src/evalkit``.

    Returns
    -------
    Path or None
        The checkout's top folder.

    Examples
    --------
    >>> root = checkout_root()  # run from a checkout, as the tests are
    >>> (root / "src" / "evalkit" / "io" / "outfolder.py").is_file()
    True
    """
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / "pyproject.toml").is_file() and (folder / "src" / "evalkit").is_dir():
            return folder
    return None


def check_output_folder(out: str | os.PathLike, *, marker: Marker,
                        protected: Sequence[Protected] = ()) -> Path:
    """Check that ``out`` may be written (and replaced) as an evalkit output folder.

    See :func:`check_report_folder` for the rules.

    Parameters
    ----------
    out
        The output folder the user asked for.
    marker
        The marker an earlier output of the same kind holds.
    protected
        Folders the output may not be, contain or lie inside.

    Returns
    -------
    Path
        The folder as an absolute path with symbolic links in its parents resolved.

    Raises
    ------
    OutputFolderError
        When the folder may not be used; the message says what to do.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> check_output_folder(base / "copy", marker=REPORT) == base.resolve() / "copy"
    True
    """
    given = absolute_path(out)
    what = marker.what

    def refuse(reason: str, hint: str = "") -> OutputFolderError:
        return OutputFolderError(
            f"refusing to write the {what} into {given}: {reason}. "
            + (hint or f"Nothing was written; {CHOOSE} (for example ~/evalkit-reports/2026)."))

    if given.is_symlink():
        raise refuse("it is a symbolic link", "Give the folder itself, or " + CHOOSE + ".")
    target = resolved_path(given.parent) / given.name if given.name else resolved_path(given)
    if target.parent == target or str(target) == target.anchor:
        raise refuse("it is the top of the file system")
    home = home_folder()
    if home is not None and is_within(home, target):
        raise refuse("it is your home folder" if _same(home, target)
                     else f"it contains your home folder {home}")
    for item in protected:
        place = resolved_path(absolute_path(item.path))
        if is_within(target, place):
            if item.allow_inside is not None and is_within(target, absolute_path(item.allow_inside)):
                continue
            if _same(target, place):
                raise refuse(f"it is {item.label}")
            raise refuse(f"it lies inside {item.label} {place}")
        if is_within(place, target):
            raise refuse(f"it contains {item.label} {place}")
    if os.path.lexists(target):
        if not target.is_dir():
            raise refuse("it is a file, not a folder")
        try:
            record = marker.record(target)
            unknown = marker.unknown_in(target)
        except OSError as exc:
            raise refuse(f"it cannot be read ({exc.strerror})") from None
        if unknown:
            names = ", ".join(shown_path(u) for u in unknown[:FILES_SHOWN])
            if len(unknown) > FILES_SHOWN:
                names += f" and {len(unknown) - FILES_SHOWN} more"
            if record is None:
                raise refuse(
                    f"the folder exists and holds files evalkit did not write (it has no "
                    f"{marker.name} file): {names}; evalkit never replaces such a folder",
                    f"Nothing was written; {CHOOSE}, or empty that folder yourself.")
            reason = (f"{record.why_empty}, so everything in it counts as yours: {names}"
                      if record.why_empty else
                      f"it holds files that evalkit did not write there or that were changed "
                      f"after it wrote them: {names}")
            raise refuse(reason, f"Nothing was written; move those files out of the folder, "
                                 f"or choose another {marker.option}.")
    return target


def check_report_folder(out: str | os.PathLike, *, data_dir: str | os.PathLike,
                        repo_root: str | os.PathLike | None) -> Path:
    """Check that a report may be written into ``out``, before any work starts.

    Parameters
    ----------
    out : path
        The report folder the user asked for (``--out``).
    data_dir : path
        The data folder: ``out`` may not be, contain or lie inside it.
    repo_root : path or None
        The evalkit checkout: ``out`` may not be, contain or lie inside it, except under its
        git-ignored ``reports/`` folder. None when evalkit is not run from a checkout.

    Returns
    -------
    pathlib.Path
        The report folder as an absolute path (symbolic links in its parents resolved).

    Raises
    ------
    OutputFolderError
        When ``out`` is a symbolic link, a file, the top of the file system, the home folder or
        a folder containing it, overlaps the data folder or the checkout, or is an existing
        non-empty folder without the ``.evalkit-report`` marker. The message says what to do.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> (base / "data").mkdir()
    >>> check_report_folder(base / "report", data_dir=base / "data", repo_root=None).name
    'report'
    >>> try:
    ...     check_report_folder(base, data_dir=base / "data", repo_root=None)
    ... except OutputFolderError as error:
    ...     print(str(error).split(": ")[1].split(" /")[0])
    it contains the data folder
    """
    protected = [Protected(Path(data_dir), "the data folder")]
    if repo_root is not None:
        protected.append(Protected(Path(repo_root), "the evalkit checkout",
                                   allow_inside=Path(repo_root) / "reports"))
    return check_output_folder(out, marker=REPORT, protected=protected)


#: The interruption a signal raised while an output was being built (a library running at the
#: time, such as a notebook client, may turn it into an error of its own).
_INTERRUPTED: list[BaseException | None] = [None]


def interruption() -> BaseException | None:
    """The SIGTERM or SIGINT that arrived while the current output was being built, if any.

    Returns
    -------
    BaseException or None
        :class:`Terminated` or ``KeyboardInterrupt``; None when no signal arrived.

    Examples
    --------
    >>> interruption() is None
    True
    """
    return _INTERRUPTED[0]


@contextmanager
def _signals_clean_up() -> Iterator[None]:
    """While building an output: SIGTERM raises :class:`Terminated` and SIGINT raises
    KeyboardInterrupt in the main thread, so ``finally`` blocks remove the staging folder. The
    previous handlers come back afterwards; a signal that was ignored stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum, frame):
        _INTERRUPTED[0] = Terminated(128 + signum)
        raise _INTERRUPTED[0]

    def on_int(signum, frame):
        _INTERRUPTED[0] = KeyboardInterrupt()
        raise _INTERRUPTED[0]

    _INTERRUPTED[0] = None
    previous = {}
    for signum, handler in ((signal.SIGTERM, on_term), (signal.SIGINT, on_int)):
        old = signal.getsignal(signum)
        if old is signal.SIG_IGN:
            continue
        previous[signum] = old
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back, delivered afterwards, while files or folders are renamed.

    A Ctrl-C in the middle of a rename would leave a half-written output or a temporary file
    behind; inside this block it waits until the rename is done.

    Yields
    ------
    None
        Control, with the two signals held (on the main thread of a POSIX system).

    Examples
    --------
    >>> with signals_held():
    ...     pass
    """
    # Windows has no signal masks (nor a SIGTERM that a handler can catch): nothing to hold.
    if (threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "pthread_sigmask")):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":
        # os.kill on Windows ends the process instead of probing it: assume the run that left
        # the folder may still be going, so its folder is never taken away from it.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


def _leftovers(target: Path, tag: str) -> list[Path]:
    prefix = f".{target.name}.{tag}-"
    try:
        return sorted((p for p in target.parent.iterdir() if p.name.startswith(prefix)),
                      key=lambda p: p.stat().st_mtime)
    except OSError:
        return []


def recover(target: Path, marker: Marker) -> None:
    """Tidy up after a run that was killed outright (SIGKILL).

    Puts back an old folder that had been moved aside when the target is missing, removes what
    evalkit wrote in old folders already replaced (:meth:`Marker.remove_own`), and removes
    staging folders of processes that no longer run. Only folders holding ``marker`` are
    touched, and a staging folder only when its marker was written in it (not copied there).

    Parameters
    ----------
    target
        The output folder.
    marker
        The marker its outputs hold.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> aside = base / ".report.evalkit-old-1234-abcd"
    >>> aside.mkdir()
    >>> REPORT.write(aside)
    >>> recover(base / "report", REPORT)
    >>> sorted(p.name for p in base.iterdir())
    ['report']
    """
    olds = [p for p in _leftovers(target, _OLD) if p.is_dir() and marker.found_in(p)]
    if olds and not os.path.lexists(target):
        os.rename(olds.pop(), target)  # the newest old folder is the last complete one
    for old in olds:
        with suppress(OSError):
            marker.remove_own(old)
    for staging in _leftovers(target, _STAGING):
        pid_text = staging.name[len(f".{target.name}.{_STAGING}-"):].split("-", 1)[0]
        if (pid_text.isdigit() and not _pid_alive(int(pid_text)) and staging.is_dir()
                and not staging.is_symlink()):
            record = marker.record(staging)
            if record is not None and not record.why_empty:
                shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(staging: Path, target: Path, marker: Marker) -> None:
    with signals_held():
        if not os.path.lexists(target):
            os.rename(staging, target)
            return
        # The folder the user gave keeps its permissions (and group, where allowed); the
        # staging folder was made private, and a new folder stays so.
        info = os.stat(target)
        os.chmod(staging, stat.S_IMODE(info.st_mode))
        with suppress(OSError, AttributeError):
            os.chown(staging, -1, info.st_gid)
        aside = target.parent / f".{target.name}.{_OLD}-{os.getpid()}-{secrets.token_hex(4)}"
        os.rename(target, aside)
        try:
            os.rename(staging, target)
        except BaseException:
            os.rename(aside, target)
            raise
        try:
            gone = marker.remove_own(aside)
        except OSError:
            gone = False
    if not gone:  # files appeared in the old folder after it was checked: they stay
        print(f"evalkit: the earlier {marker.what} in {target} changed while the new one was "
              f"made; what evalkit did not write was kept in {aside}", file=sys.stderr)


@contextmanager
def staged_output(target: Path, *, marker: Marker, recheck: Callable[[], object] | None = None,
                  marker_extra: str = "") -> Iterator[Path]:
    """Build an output folder in a staging folder and move it into ``target`` at the end.

    ``target`` must have passed :func:`check_output_folder`; ``recheck`` repeats that check just
    before the move. The staging folder holds ``marker`` from the start (with ``marker_extra``
    appended); when the block ends the marker is written again, listing every file the block
    wrote. On an exception, SIGINT or SIGTERM the staging folder is removed and ``target`` is
    left as it was.

    Parameters
    ----------
    target
        The checked output folder.
    marker
        The marker to write into the staging folder.
    recheck
        Called just before the move; it raises to stop it.
    marker_extra
        Text written into the marker before its list of files.

    Yields
    ------
    Path
        The staging folder to write into.

    Raises
    ------
    OutputFolderError
        When the staging folder cannot be made or moved into place.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "copy"
    >>> with staged_output(target, marker=REPORT) as staging:
    ...     _ = (staging / "notes.txt").write_text("done")
    >>> sorted(p.name for p in target.iterdir())
    ['.evalkit-report', 'notes.txt']
    >>> REPORT.unknown_in(target)
    []
    """
    with _signals_clean_up():
        try:
            recover(target, marker)
            target.parent.mkdir(parents=True, exist_ok=True)
            with signals_held():  # the staging folder exists only with its marker
                staging = Path(tempfile.mkdtemp(
                    prefix=f".{target.name}.{_STAGING}-{os.getpid()}-", dir=target.parent))
                try:
                    marker.write(staging, marker_extra)
                except BaseException:
                    shutil.rmtree(staging, ignore_errors=True)
                    raise
        except OSError as exc:
            raise OutputFolderError(f"cannot create a folder beside {target} ({exc.strerror}); "
                                    f"{CHOOSE} you can write to.") from None
        try:
            yield staging
            marker.write(staging, marker_extra)  # now listing everything written
            if recheck is not None:
                recheck()
            try:
                _move_into_place(staging, target, marker)
            except OSError as exc:
                raise OutputFolderError(
                    f"cannot move the new {marker.what} into {target} ({exc.strerror}); the "
                    f"old one, if any, is unchanged. {CHOOSE[0].upper()}{CHOOSE[1:]}.") from None
        finally:
            with signals_held():  # a second signal must not interrupt the clean-up
                shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def report_folder(out: str | os.PathLike, *, data_dir: str | os.PathLike,
                  repo_root: str | os.PathLike | None) -> Iterator[Path]:
    """Check ``out`` and yield a staging folder for the report; move it into ``out`` at the end.

    The staging folder is hidden beside ``out`` and already holds the ``.evalkit-report``
    marker. When the block ends normally the old report (if any) is replaced by renaming; when it
    raises, or SIGINT or SIGTERM arrives, the staging folder is removed and the old report stays.

    Parameters
    ----------
    out, data_dir, repo_root
        As for :func:`check_report_folder`.

    Yields
    ------
    pathlib.Path
        The staging folder to write the report into.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> with report_folder(base / "report", data_dir=base / "data", repo_root=None) as staging:
    ...     _ = (staging / "report.html").write_text("<p>hello</p>")
    >>> sorted(p.name for p in (base / "report").iterdir())
    ['.evalkit-report', 'report.html']
    """
    target = check_report_folder(out, data_dir=data_dir, repo_root=repo_root)
    with staged_output(target, marker=REPORT,
                       recheck=lambda: check_report_folder(out, data_dir=data_dir,
                                                           repo_root=repo_root)) as staging:
        yield staging


# --- scratch folders in the system temporary folder ----------------------------------------------

_SCRATCH_NAME = re.compile(r"^evalkit-([a-z]+)-(\d+)-")
_SCRATCH_MARKER = ".evalkit-scratch"


def _scratch_text(pid: int) -> str:
    return (f"evalkit scratch folder of process {pid} on {socket.gethostname()}. evalkit removes "
            "it when that process ends, or on its next run if the process was killed.\n")


def remove_dead_scratch_folders(parent: str | os.PathLike | None = None) -> list[Path]:
    """Remove the scratch folders that evalkit runs killed outright (SIGKILL) left behind.

    A folder is removed only when all of these hold: its name is ``evalkit-<kind>-<pid>-...``, it
    is a real folder (not a link) owned by this user, it holds the scratch marker evalkit wrote
    for that process on this machine, and no process with that id runs any more. Anything else
    in the temporary folder, another user's folder above all, is left alone. On Windows nothing
    is removed (a process there cannot be probed without being ended).

    Parameters
    ----------
    parent
        The folder to look in; None for the system temporary folder.

    Returns
    -------
    list of Path
        The folders removed.

    Examples
    --------
    >>> import tempfile
    >>> parent = Path(tempfile.mkdtemp())
    >>> dead = parent / "evalkit-run-999999999-abcd"
    >>> dead.mkdir()
    >>> _ = (dead / ".evalkit-scratch").write_text(_scratch_text(999999999))
    >>> (parent / "evalkit-run-999999999-mine").mkdir()  # no marker: not evalkit's
    >>> [p.name for p in remove_dead_scratch_folders(parent)]
    ['evalkit-run-999999999-abcd']
    """
    parent = Path(parent if parent is not None else tempfile.gettempdir())
    getuid = getattr(os, "getuid", None)
    removed = []
    try:
        entries = [e for e in os.scandir(parent) if _SCRATCH_NAME.match(e.name)]
    except OSError:
        return []
    for entry in entries:
        pid = int(_SCRATCH_NAME.match(entry.name).group(2))
        try:
            info = entry.stat(follow_symlinks=False)
            if (not stat.S_ISDIR(info.st_mode) or getuid is None or info.st_uid != getuid()
                    or _pid_alive(pid)):
                continue
            marker = Path(entry.path) / _SCRATCH_MARKER
            if marker.is_symlink() or marker.read_text(encoding="utf-8") != _scratch_text(pid):
                continue
        except (OSError, UnicodeDecodeError):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed


@contextmanager
def scratch_folder(kind: str) -> Iterator[Path]:
    """A private folder in the system temporary folder for one run, removed when it ends.

    The folder is ``evalkit-<kind>-<process id>-<random>`` and holds a marker naming the process,
    so that if the process is killed outright the next run removes it
    (:func:`remove_dead_scratch_folders`, called here first).

    Parameters
    ----------
    kind
        Lower-case letters saying what it is for: ``"run"``, ``"kernel"``, ``"pdf"``.

    Yields
    ------
    Path
        The folder (mode 0700).

    Examples
    --------
    >>> with scratch_folder("run") as scratch:
    ...     scratch.name.startswith(f"evalkit-run-{os.getpid()}-")
    True
    >>> scratch.exists()
    False
    """
    if not re.fullmatch(r"[a-z]+", kind):
        raise ValueError("a scratch folder's kind is lower-case letters")
    remove_dead_scratch_folders()
    with signals_held():  # the folder exists only with its marker
        folder = Path(tempfile.mkdtemp(prefix=f"evalkit-{kind}-{os.getpid()}-"))
        try:
            (folder / _SCRATCH_MARKER).write_text(_scratch_text(os.getpid()), encoding="utf-8")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
