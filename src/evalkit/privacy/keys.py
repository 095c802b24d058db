"""Keys and keyed pseudonyms (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.contracts import PERSON_ID_COLUMNS
from ..errors import EvalkitError

KEY_MIN_BYTES = 32


_PREFIX = {"participant": "pa_", "practitioner": "pr_", "process": "cp_"}


def read_key(key_file: str | os.PathLike) -> bytes:
    """Read a pseudonymisation key, refusing a missing, short or world-readable one."""
    path = Path(key_file)
    if not path.is_file():
        raise EvalkitError(
            f"key file not found: {path}. Create one outside the project with "
            "'evalkit keygen --out PATH' and keep it safe; the same key gives the same pseudonyms."
        )
    key = path.read_bytes().strip()
    if len(key) < KEY_MIN_BYTES:
        raise EvalkitError(
            f"key file {path} holds fewer than {KEY_MIN_BYTES} bytes; "
            "make a strong key with 'evalkit keygen --out PATH'."
        )
    return key


def write_key(out: str | os.PathLike) -> Path:
    """Write a new random key (64 hex characters) readable by the owner only."""
    path = Path(out)
    if path.exists():
        raise EvalkitError(f"{path} exists already; refusing to overwrite a key.")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path


def pseudonym(key: bytes, kind: str, original: str) -> str:
    """Keyed HMAC-SHA256 pseudonym of one id; ``kind`` keeps the id spaces apart.

    Examples
    --------
    >>> pseudonym(b"k" * 32, "participant", "A123")[:3]
    'pa_'
    """
    digest = hmac.new(key, f"{kind}\x1f{original}".encode(), hashlib.sha256).hexdigest()
    return _PREFIX[kind] + digest[:20]


def pseudonymise_series(values: pd.Series, key: bytes, kind: str, *, is_list: bool = False):
    """Replace every id in a string column (or ';'-joined list column) by its pseudonym."""
    text = values.astype("string")
    codes, uniques = pd.factorize(text)
    if is_list:
        mapped = [
            ";".join(pseudonym(key, kind, part.strip()) for part in u.split(";") if part.strip())
            for u in uniques
        ]
    else:
        mapped = [pseudonym(key, kind, u.strip()) for u in uniques]
    mapped_arr = np.array(mapped + [""], dtype=object)
    return pd.Series(mapped_arr[codes], index=values.index, dtype="string")


def pseudonymise_frame(frame: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """A copy of a raw (all-text) file with every person id column pseudonymised."""
    out = frame.copy()
    for column, kind in PERSON_ID_COLUMNS.items():
        if column in out.columns:
            out[column] = pseudonymise_series(
                out[column], key, kind, is_list=column == "facilitator_ids"
            )
    return out

