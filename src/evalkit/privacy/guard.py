"""Privacy: refuse direct identifiers, pseudonymise ids with a key.

The guard is deliberately conservative: a column whose *name* suggests a direct identifier or free
text is refused even when it happens to be empty, because the safest data folder is one that never had
such a column. Values are never echoed in messages; only file, column and row numbers are.

Disclosure control for funder outputs lives in :mod:`evalkit.disclosure`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

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













def identifying_values(values: pd.Series) -> dict[str, np.ndarray]:
    """Which cells look like a direct identifier, by reason.

    Returns a mapping from a reason (``"an email address"``, ``"a phone number"``, ...) to a
    boolean array aligned with ``values``; the data layer reports each as a problem naming the
    file, column and rows, never the value. Only distinct values are examined.
    """
    email, phone = identifying_value_mask(values)
    return {"an email address": email.to_numpy(bool), "a phone number": phone.to_numpy(bool)}
