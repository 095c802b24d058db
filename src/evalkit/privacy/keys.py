"""Keys and keyed pseudonyms (HMAC-SHA256).

A key file made by ``evalkit keygen`` holds two lines: the header ``# evalkit pseudonymisation key
v1`` and 64 hexadecimal characters (32 random bytes). :func:`read_key` accepts nothing else: a key
typed by hand, a random text file or a file that others can read is refused, because a weak or
leaked key lets anyone with a list of real ids work out who every pseudonym is.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import KeyFileError
from ..io.contracts import PERSON_ID_COLUMNS

KEY_HEADER = "# evalkit pseudonymisation key v1"
KEY_MIN_BYTES = 32
_KEY_LINE = re.compile(r"[0-9a-f]{64}")
_MAX_KEY_FILE_BYTES = 4096
# The fingerprint hashes the key with a label of its own, so that it can never equal anything
# the key is used for (a pseudonym is an HMAC of "kind, id" under the key).
_FINGERPRINT_DOMAIN = b"evalkit key fingerprint v1\x00"

_PREFIX = {"participant": "pa_", "practitioner": "pr_", "process": "cp_", "cohort": "co_",
           "session": "se_"}


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def read_key(key_file: str | os.PathLike, *, forbidden: Iterable[str | os.PathLike] = ()) -> bytes:
    """Read a pseudonymisation key made by ``evalkit keygen``.

    Parameters
    ----------
    key_file : path
        The key file.
    forbidden : iterable of paths, optional
        Folders the key must not lie in (the data and output folders). Both the path as given and
        the file it leads to (after symbolic links) are checked.

    Returns
    -------
    bytes
        The key, as used by :func:`pseudonym`.

    Raises
    ------
    KeyFileError
        When the file is missing, is not a regular file, can be read or written by group or
        others, does not have the header line and exactly 64 hexadecimal characters of a random
        key, or lies inside a forbidden folder. The message never shows the file's content.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> len(read_key(write_key(folder / "k.key")))
    64
    """
    given = Path(key_file)
    path = Path(os.path.abspath(given))
    try:
        real = path.resolve()
    except (RuntimeError, OSError):
        raise KeyFileError(f"the key file {given} cannot be followed (a loop of symbolic "
                           "links?).") from None
    for folder in forbidden:
        folder_abs = Path(os.path.abspath(folder))
        for candidate_folder in {folder_abs, Path(os.path.realpath(folder_abs))}:
            if _inside(path, candidate_folder) or _inside(real, candidate_folder):
                raise KeyFileError(
                    f"the key file {given} lies inside {folder}; keep keys outside every data "
                    "and output folder (for example in ~/keys), so that they are never shared "
                    "with the data.")
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise KeyFileError(
            f"key file not found: {given}. Create one outside the project with "
            "'evalkit keygen --out PATH' and keep it safe; the same key gives the same "
            "pseudonyms.") from None
    except OSError as exc:
        raise KeyFileError(f"the key file {given} cannot be read ({exc.strerror}).") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise KeyFileError(f"the key file {given} is not a regular file.")
    with os.fdopen(fd, "rb") as handle:
        # POSIX permission bits; Windows reports every file as 0o666 and keeps access in ACLs,
        # which evalkit cannot judge (the README asks for a folder only the user can open).
        if os.name != "nt" and info.st_mode & 0o077:
            raise KeyFileError(
                f"the key file {given} can be read or changed by other users "
                f"(permissions {stat.filemode(info.st_mode)}); make it private with "
                f"'chmod 600 {real}'. If others may have read it, make a new key with "
                "'evalkit keygen'.")
        content = handle.read(_MAX_KEY_FILE_BYTES + 1)
    not_a_key = KeyFileError(
        f"{given} is not an evalkit key: a key file holds the line '{KEY_HEADER}' and 64 "
        "hexadecimal characters made by 'evalkit keygen --out PATH'.")
    if len(content) > _MAX_KEY_FILE_BYTES:
        raise not_a_key
    try:
        text = content.decode("ascii")
    except UnicodeDecodeError:
        raise not_a_key from None
    lines = [line.strip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) != 2 or lines[0] != KEY_HEADER or not _KEY_LINE.fullmatch(lines[1].lower()):
        raise not_a_key
    key_hex = lines[1].lower()
    # 32 random bytes almost never repeat much; a key typed by hand ("0000...", "abab...") does.
    if len(set(bytes.fromhex(key_hex))) < 16:
        raise KeyFileError(
            f"the key in {given} is not random (too many repeated bytes); make a key with "
            "'evalkit keygen --out PATH'.")
    return key_hex.encode("ascii")


def write_key(out: str | os.PathLike, *, forbidden: Iterable[str | os.PathLike] = ()) -> Path:
    """Write a new random key readable by the owner only (mode 0600), never overwriting a file.

    Parameters
    ----------
    out : path
        The key file to create; its folder is created (private to the owner) when missing.
    forbidden : iterable of paths, optional
        Folders the key must not be created in (the evalkit checkout, where it could be
        committed).

    Returns
    -------
    pathlib.Path
        The key file.

    Examples
    --------
    >>> import tempfile
    >>> key = write_key(Path(tempfile.mkdtemp()) / "keys" / "evalkit.key")
    >>> key.read_text().splitlines()[0]
    '# evalkit pseudonymisation key v1'
    >>> oct(key.stat().st_mode & 0o777)
    '0o600'
    """
    path = Path(out)
    real = Path(os.path.realpath(os.path.abspath(path)))
    for folder in forbidden:
        if _inside(real, Path(os.path.realpath(os.path.abspath(folder)))):
            raise KeyFileError(f"refusing to create a key inside {folder}: keep keys outside "
                               "the project and every data folder (for example in ~/keys).")
    if path.is_symlink() or path.exists():
        raise KeyFileError(f"{path} exists already; refusing to overwrite it. Choose a new file "
                           "name (an existing key must be kept: it links old pseudonyms).")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise KeyFileError(f"cannot create the key file {path}: its folder cannot be made "
                           f"({exc.strerror}).") from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600)
    except FileExistsError:
        raise KeyFileError(f"{path} exists already; refusing to overwrite it.") from None
    except OSError as exc:
        raise KeyFileError(f"cannot create the key file {path} ({exc.strerror}).") from None
    try:
        if hasattr(os, "fchmod"):  # POSIX: private whatever the umask
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(f"{KEY_HEADER}\n{secrets.token_hex(KEY_MIN_BYTES)}\n")
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def key_fingerprint(key: bytes) -> str:
    """A short fingerprint of a key: 12 hexadecimal characters that identify it, not reveal it.

    The characters are the first 48 bits of SHA-256 over a labelled copy of the key.

    The output folder of ``evalkit pseudonymise`` records it, so that a later run with another
    key is noticed.

    Parameters
    ----------
    key : bytes
        The key as returned by :func:`read_key`.

    Returns
    -------
    str
        The fingerprint, in lower-case hexadecimal.

    Examples
    --------
    >>> key_fingerprint(b"k" * 64)
    'c7d54b9bdaf6'
    >>> len(key_fingerprint(b"other" * 13))
    12
    """
    return hashlib.sha256(_FINGERPRINT_DOMAIN + bytes(key)).hexdigest()[:12]


def pseudonym(key: bytes, kind: str, original: str) -> str:
    """Keyed HMAC-SHA256 pseudonym of one id; ``kind`` keeps the id spaces apart.

    Parameters
    ----------
    key : bytes
        The key (:func:`read_key`).
    kind : {"participant", "practitioner", "process", "cohort", "session"}
        Which id space; the pseudonym starts with ``pa_``, ``pr_``, ``cp_`` or ``co_``.
    original : str
        The id.

    Returns
    -------
    str
        The prefix and 20 hexadecimal characters of the HMAC; the same key, kind and id
        always give the same pseudonym.

    Examples
    --------
    >>> pseudonym(b"k" * 32, "participant", "A123")[:3]
    'pa_'
    """
    digest = hmac.new(key, f"{kind}\x1f{original}".encode(), hashlib.sha256).hexdigest()
    return _PREFIX[kind] + digest[:20]


def pseudonymise_series(values: pd.Series, key: bytes, kind: str, *,
                        is_list: bool = False) -> pd.Series:
    """Replace every id in a text column (or ';'-joined list column) by its pseudonym.

    Ids are trimmed first. A blank cell stays blank: it is a missing id, and a pseudonym would
    make it look like a real one. In a list, blank entries are dropped.

    Parameters
    ----------
    values : pandas.Series
        The ids as text.
    key : bytes
        The key (:func:`read_key`).
    kind : {"participant", "practitioner", "process", "cohort", "session"}
    is_list : bool, default False
        The cells hold ids joined by ";".

    Returns
    -------
    pandas.Series
        Pseudonyms as text, aligned with ``values``.

    Examples
    --------
    >>> pseudonymise_series(pd.Series(["a1", " ", "a1 "]), b"k" * 32, "participant").str.len().tolist()
    [23, 0, 23]
    """
    text = values.astype("string").fillna("")
    codes, uniques = pd.factorize(text)
    mapped = []
    for unique in uniques:
        if is_list:
            parts = [p.strip() for p in str(unique).split(";")]
            mapped.append(";".join(pseudonym(key, kind, p) for p in parts if p))
        else:
            original = str(unique).strip()
            mapped.append(pseudonym(key, kind, original) if original else "")
    mapped_arr = np.array(mapped + [""], dtype=object)
    return pd.Series(mapped_arr[codes], index=values.index, dtype="string")


def pseudonymise_frame(frame: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """A copy of a raw (all-text) file with every person id column pseudonymised.

    Parameters
    ----------
    frame : pandas.DataFrame
        A file read as text, with contract column names.
    key : bytes
        The key (:func:`read_key`).

    Returns
    -------
    pandas.DataFrame
        The copy; columns that are not person ids are unchanged.

    Examples
    --------
    >>> frame = pd.DataFrame({"participant_id": ["a1", ""], "status": ["attended", "late"]})
    >>> out = pseudonymise_frame(frame, b"k" * 32)
    >>> out["participant_id"].str[:3].tolist(), out["status"].tolist()
    (['pa_', ''], ['attended', 'late'])
    """
    out = frame.copy()
    for column, kind in PERSON_ID_COLUMNS.items():
        if column in out.columns:
            out[column] = pseudonymise_series(
                out[column], key, kind, is_list=column == "facilitator_ids"
            )
    return out
