"""Privacy: refuse direct identifiers, pseudonymise ids with a key.

The guard is deliberately conservative: a column whose *name* suggests a direct identifier or free
text is refused even when it happens to be empty, because the safest data folder is one that never had
such a column. Values are never echoed in messages; only file, column and row numbers are.

Disclosure control for funder outputs lives in :mod:`evalkit.disclosure`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from .contracts import PERSON_ID_COLUMNS
from .errors import EvalkitError

# Tokens of a column name (split on "_", "-", spaces and case changes) that mark a direct
# identifier, with the reason shown to the user.
_IDENTIFIER_TOKENS: dict[str, str] = {
    **dict.fromkeys(
        ("name", "names", "surname", "forename", "firstname", "lastname", "fullname", "username"),
        "a person's name",
    ),
    **dict.fromkeys(("email", "mail", "e_mail"), "an email address"),
    **dict.fromkeys(("phone", "mobile", "telephone", "tel", "cell"), "a phone number"),
    **dict.fromkeys(("address", "street", "addr"), "an address"),
    **dict.fromkeys(("postcode", "zip", "zipcode", "postal"), "a postcode"),
    **dict.fromkeys(("dob", "birthdate", "birthday"), "a date of birth"),
    **dict.fromkeys(
        ("nhs", "nino", "ssn", "passport", "insurance", "chi", "pnc"), "a national or health number"
    ),
    **dict.fromkeys(
        ("notes", "note", "comment", "comments", "narrative", "remarks", "freetext", "description"),
        "free text",
    ),
}
# Multi-token phrases (joined by "_") that are identifiers even though each token alone is not.
_IDENTIFIER_PHRASES: dict[str, str] = {
    "date_of_birth": "a date of birth",
    "birth_date": "a date of birth",
    "post_code": "a postcode",
    "national_id": "a national or health number",
    "health_number": "a national or health number",
    "national_insurance": "a national or health number",
    "free_text": "free text",
    "e_mail": "an email address",
}

EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# A phone number: the whole value is digits with the usual separators and has 9 to 15 digits.
PHONE_PATTERN = re.compile(r"^\+?[\d\s().-]{9,22}$")


def _name_tokens(column: str) -> list[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1_\2", column.strip())
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def identifier_column_reason(column: str) -> str | None:
    """Why a column name looks like a direct identifier or free text, or None.

    Examples
    --------
    >>> identifier_column_reason("client_surname")
    "a person's name"
    >>> identifier_column_reason("exercise_title") is None
    True
    """
    tokens = _name_tokens(column)
    joined = "_".join(tokens)
    for phrase, reason in _IDENTIFIER_PHRASES.items():
        if phrase in joined:
            return reason
    for token in tokens:
        if token in _IDENTIFIER_TOKENS:
            return _IDENTIFIER_TOKENS[token]
    return None


def _looks_like_phone(value: str) -> bool:
    if not PHONE_PATTERN.match(value):
        return False
    digits = sum(ch.isdigit() for ch in value)
    return 9 <= digits <= 15


def identifying_value_mask(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Boolean masks of cells that look like an email address or a phone number.

    Only the distinct values are examined, so a long register with few distinct ids is cheap.
    """
    text = values.astype("string").fillna("")
    codes, uniques = pd.factorize(text)
    uniques = pd.Series(uniques, dtype="string")
    email_u = uniques.str.contains(EMAIL_PATTERN, regex=True).fillna(False).to_numpy(bool)
    phone_u = np.fromiter((_looks_like_phone(u) for u in uniques), bool, len(uniques))
    index = values.index
    return (
        pd.Series(email_u[codes], index=index),
        pd.Series(phone_u[codes], index=index),
    )


# --- keyed pseudonyms --------------------------------------------------------------------------

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
