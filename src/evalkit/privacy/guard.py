"""Privacy: refuse direct identifiers in column names and cell values.

The guard is deliberately conservative: a column whose *name* suggests a direct identifier or free
text is refused even when it happens to be empty, because the safest data folder is one that never had
such a column. Values are never echoed in messages; only file, column and row numbers are.

Two entry points:

- :func:`identifier_column_reason` says why a column *name* means a direct identifier or free text
  (``"a person's name"``, ``"a phone number"``, ...), or returns None.
- :func:`identifying_values` says which *cells* of a column look like a direct identifier, by
  reason, as boolean masks. It examines each distinct value once, so a register with a million rows
  and few distinct values costs little, and 100,000 distinct values take a fraction of a second.

The value checks and what they catch (all case-insensitive unless said otherwise):

=====================  ======================================================================
reason                 caught
=====================  ======================================================================
email address          ``someone@example.org`` anywhere in the cell, also at a domain in another
                       script (``john@exämple.org``)
phone number           UK numbers ``07700 900123``, ``0161 496 0000``, ``(0161) 4960000``, groups
                       split by dots or slashes (``07700.900.123``, ``07700/900123``);
                       international ``+44 7700 900123``, ``0044 ...``, ``44 7700 900123``; US
                       ``(555) 123-4567``. Numbers without a leading ``0``, ``+``, ``(`` or a
                       separated ``44`` are not phone numbers, so a 9-digit numeric id passes.
NHS number             10 digits on their own, bare or grouped 3-3-4 (``943 476 5919``,
                       ``943.476.5919``)
NI number              ``AB123456C`` with or without spaces, dots, slashes or hyphens
                       (``AB-12-34-56-C``); without the final letter only when grouped
                       (``AB 12 34 56``), so an id such as ``PR000123`` passes
postcode               ``SW1A 1AA``, ``M1 1AE`` (any case); without the space only as the whole
                       cell in capitals (``SW1A1AA``)
street address         a house number, one to three words and a street word (``12 High Street``,
                       ``221b Baker St``, ``4, Mill Lane``), or a flat or apartment number
                       (``Flat 3``); ``Week 12``, ``2 in a row`` and ``3 close calls`` pass
titled name            a title and a capitalised word (``Mrs Patel``, ``Dr. Jones``, ``Mx
                       Lee``): a site or group named after a person. A bare name (``Jane
                       Doe``) cannot be told from a place (``North Leeds``) and passes
date                   a full date: ``1984-03-02``, ``02/03/1984``, ``2.3.1984``, ``02.03.84``,
                       ``19840302``, ``2 March 1984``, ``March 2nd, 1984`` (a month such as
                       ``2025-03`` or ``March 2025`` passes)
free text              more than 64 characters, or a line break
hidden characters      a NUL, tab or other control character, or a zero-width or text-direction
                       character (``nor\u200bth`` looks like ``north``), in any column
=====================  ======================================================================

``date`` and ``free text`` are meant for label and title columns (:data:`LABEL_ONLY_REASONS`): the
data layer checks date columns and id lengths with its own rules.

Disclosure control for funder outputs lives in :mod:`evalkit.publish.disclosure`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa

LABEL_MAX_LENGTH = 64

# --- column names ------------------------------------------------------------------------------

_NAME = "a person's name"
_EMAIL = "an email address"
_PHONE = "a phone number"
_ADDRESS = "an address"
_POSTCODE = "a postcode"
_DOB = "a date of birth"
_NUMBER = "a national, health or case number"
_TEXT = "free text"
_LOCATION = "a location"

# Tokens of a column name (split on punctuation, spaces, case changes and letter-digit changes)
# that mark a direct identifier wherever they appear, with the reason shown to the user. The data
# dictionary lists these words.
IDENTIFIER_TOKENS: dict[str, str] = {
    # "name" itself is refused unless it names a thing (module_name): see _NAME_OF_A_THING.
    **dict.fromkeys(
        ("name", "names", "surname", "surnames", "forename", "forenames", "firstname", "lastname", "fullname",
         "username", "givenname", "familyname", "maidenname", "middlename", "nickname", "initials"),
        _NAME,
    ),
    **dict.fromkeys(("email", "emails", "mail", "emailaddress"), _EMAIL),
    **dict.fromkeys(
        ("phone", "phones", "telephone", "tel", "telno", "mobile", "mobileno", "phoneno",
         "cellphone", "fax", "landline", "msisdn", "whatsapp"),
        _PHONE,
    ),
    **dict.fromkeys(("address", "addresses", "addr", "street"), _ADDRESS),
    **dict.fromkeys(("postcode", "postcodes", "pcode", "zip", "zipcode", "postal", "postalcode"),
                    _POSTCODE),
    **dict.fromkeys(("dob", "birthdate", "birthday", "dateofbirth", "birth", "born"), _DOB),
    **dict.fromkeys(
        ("nhs", "nhsno", "nhsnumber", "nino", "ninumber", "ssn", "passport", "crn", "pnc", "cro",
         "urn", "mrn", "nomis", "noms", "casenumber", "caseno", "caseref"),
        _NUMBER,
    ),
    **dict.fromkeys(
        ("notes", "note", "comment", "comments", "narrative", "remarks", "freetext", "description",
         "details", "specify", "verbatim", "transcript"),
        _TEXT,
    ),
    **dict.fromkeys(("latitude", "longitude", "geolocation", "geo", "geocode", "coordinates",
                     "gps"), _LOCATION),
    **dict.fromkeys(("bday", "birthdays"), _DOB),
    **dict.fromkeys(("alias", "aliases", "aka", "keyworker", "caseworker", "victim", "victims"),
                    _NAME),
}
# Sequences of tokens (joined by "_") that are identifiers although each token alone is not; they
# match on token boundaries, so ``chi_square`` is not ``chi_number``.
IDENTIFIER_PHRASES: dict[str, str] = {
    "date_of_birth": _DOB,
    "d_o_b": _DOB,
    "birth_date": _DOB,
    "post_code": _POSTCODE,
    "zip_code": _POSTCODE,
    "e_mail": _EMAIL,
    "free_text": _TEXT,
    "national_insurance": _NUMBER,
    "national_id": _NUMBER,
    "insurance_number": _NUMBER,
    "health_number": _NUMBER,
    "ni_number": _NUMBER,
    "ni_no": _NUMBER,
    "ni_num": _NUMBER,
    "chi_number": _NUMBER,
    "chi_no": _NUMBER,
    "case_number": _NUMBER,
    "case_no": _NUMBER,
    "case_ref": _NUMBER,
    "case_reference": _NUMBER,
    "case_id": _NUMBER,
    "prison_number": _NUMBER,
    "contact_number": _PHONE,
    "contact_no": _PHONE,
    "contact_details": _PHONE,
    "contact_info": _PHONE,
    "cell_number": _PHONE,
    "cell_no": _PHONE,
    "cell_phone": _PHONE,
    "ip_address": _ADDRESS,
    "house_no": _ADDRESS,
    "house_number": _ADDRESS,
    "house_name": _ADDRESS,
    "mob_no": _PHONE,
    "mob_num": _PHONE,
    "mob_number": _PHONE,
    "nat_ins": _NUMBER,
    "prisoner_no": _NUMBER,
    "prisoner_number": _NUMBER,
    "prison_no": _NUMBER,
    "custody_ref": _NUMBER,
    "custody_no": _NUMBER,
    "custody_number": _NUMBER,
    "known_as": _NAME,
    "key_worker": _NAME,
    "case_worker": _NAME,
    "reason_text": _TEXT,
}
# Whole column names that are identifiers on their own but harmless as part of a longer name
# (``cell_count``, ``chi_square``, ``contact_group``).
WHOLE_NAMES: dict[str, str] = {
    "name": _NAME, "names": _NAME, "chi": _NUMBER, "ni": _NUMBER, "cell": _PHONE,
    "contact": _PHONE, "insurance": _NUMBER, "id_number": _NUMBER,
    # Abbreviations that mean an identifier only as the whole name (``pc_count`` is harmless).
    "pc": _POSTCODE, "ip": _ADDRESS, "mob": _PHONE, "tel_no": _PHONE, "text": _TEXT,
}
# Parts of a single token (a name written without separators) that mark an identifier.
_STEMS: dict[str, str] = {
    "surname": _NAME, "forename": _NAME, "firstname": _NAME, "lastname": _NAME, "fullname": _NAME,
    "email": _EMAIL, "phone": _PHONE, "telephone": _PHONE, "address": _ADDRESS,
    "postcode": _POSTCODE, "birth": _DOB, "nhsnumber": _NUMBER, "ninumber": _NUMBER,
    "casenumber": _NUMBER,
}
# ``name`` is a person's name unless it names one of these things (``module_name``).
_NAME_OF_A_THING = frozenset((
    "module", "session", "exercise", "site", "programme", "program", "cohort", "course", "group",
    "team", "service", "organisation", "organization", "org", "wave", "scale", "subscale",
    "instrument", "item", "file", "sheet", "project", "location", "venue", "region", "area",
    "role", "event", "column", "variable", "field", "category", "band", "unit", "measure",
    "outcome", "domain", "activity", "curriculum", "table", "metric", "test", "model",
))

# Letters that look like Latin ones in names (Cyrillic and Greek), so that a header typed with a
# look-alike letter is still recognised.
_LOOKALIKES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ο": "o", "α": "a", "ε": "e", "ι": "i",
    "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "Α": "A", "Β": "B", "Ε": "E",
    "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X",
})


def _name_tokens(column: str) -> list[str]:
    text = unicodedata.normalize("NFKC", str(column)).translate(_LOOKALIKES).strip()
    text = re.sub(r"([a-z])([A-Z])", r"\1_\2", text)  # clientName
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)  # NHSNumber
    text = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", "_", text)  # postcode1
    return [t for t in re.split(r"[^a-z0-9]+", text.lower()) if t]


def identifier_column_reason(column: str) -> str | None:
    """Why a column name looks like a direct identifier or free text, or None.

    The name is split into words at punctuation, spaces, case changes and digits. It is refused
    when a word is an identifier (``surname``, ``dob``, ``telno``, ``crn``), when a run of words is
    one (``date_of_birth``, ``d.o.b``, ``ni_number``, ``contact_number``), when a word written
    without separators contains one (``clientsurname``, ``homephone``, ``placeofbirth``), or when
    ``name`` is not the name of a thing such as a module or site. Short words that are harmless
    in longer names (``chi``, ``ni``, ``cell``, ``contact``) are refused only on their own.

    Parameters
    ----------
    column : str
        The column name as written in the file.

    Returns
    -------
    str or None
        A reason such as ``"a person's name"``, or None when the name is harmless.

    Examples
    --------
    >>> identifier_column_reason("client_surname")
    "a person's name"
    >>> identifier_column_reason("D.O.B")
    'a date of birth'
    >>> identifier_column_reason("module_name") is None, identifier_column_reason("chi_square")
    (True, None)
    """
    tokens = _name_tokens(column)
    if not tokens:
        return None
    joined = "_".join(tokens)
    if joined in WHOLE_NAMES:
        return WHOLE_NAMES[joined]
    bounded = f"_{joined}_"
    for phrase, reason in IDENTIFIER_PHRASES.items():
        if f"_{phrase}_" in bounded:
            return reason
    for i, token in enumerate(tokens):
        if token in ("name", "names"):
            if i == 0 or tokens[i - 1] not in _NAME_OF_A_THING:
                return _NAME
            continue
        if token in IDENTIFIER_TOKENS:
            return IDENTIFIER_TOKENS[token]
        for stem, reason in _STEMS.items():
            if stem in token:
                return reason
        if token.endswith("name") and token[:-4] not in _NAME_OF_A_THING:
            return _NAME
    return None


# --- cell values -------------------------------------------------------------------------------

REASON_EMAIL = _EMAIL
REASON_PHONE = _PHONE
REASON_NHS = "an NHS number (10 digits)"
REASON_NI = "a National Insurance number"
REASON_POSTCODE = _POSTCODE
REASON_DATE = "a full date (possibly a date of birth)"
REASON_ADDRESS = "a street address"
REASON_TITLED_NAME = "a person's name with a title (Mr, Mrs, Ms, Mx, Dr)"
REASON_LONG = f"free text (more than {LABEL_MAX_LENGTH} characters)"
REASON_LINE_BREAK = "free text (a line break)"
REASON_HIDDEN = "hidden characters (NUL, control, zero-width or text-direction characters)"

#: Reasons that apply to label and title columns only (ids and dates have their own rules).
LABEL_ONLY_REASONS = (REASON_DATE, REASON_LONG, REASON_LINE_BREAK)

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MON = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:\d{4}|\d{2})"
_NI_PREFIX = r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
_POSTCODE_OUT = r"[A-Z]{1,2}\d[A-Z\d]?"
_POSTCODE_IN = r"\d[ABD-HJLNP-UW-Z]{2}"
# Words that end a street's name; words that also end phrases ("way", "row", "view", "park")
# are left out, so "2 in a row" and "the 3 way split" stay labels.
_STREET = (r"(?:street|st|road|rd|avenue|ave|lane|ln|close|drive|crescent|cres|terrace|gardens"
           r"|gdns|grove|mews|boulevard|blvd)")
# What may stand before and after a number for it to count as a number on its own.
_NOT_AFTER = r"(?:^|[^\w.-])"
_NOT_BEFORE = r"(?:[^\w-]|$)"
# What may stand between the groups of digits of a number: a space, dot, slash or hyphen.
_SEP = r"[ ./-]"

# Patterns in the RE2 syntax of pyarrow.compute (no look-around, no back-references), which
# runs them over all distinct values at once in C++: 100,000 values take milliseconds per pattern.
_VALUE_PATTERNS: dict[str, tuple[str, ...]] = {
    # Letters and digits of any script: an address at a non-ASCII domain is still an address.
    _EMAIL: (r"[\pL\pN._%+-]+@[\pL\pN-]+(?:\.[\pL\pN-]+)*\.\pL{2,}",),
    REASON_NHS: (
        rf"{_NOT_AFTER}(?:\d{{10}}|\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{4}}){_NOT_BEFORE}",
    ),
    _PHONE: (
        # UK: 0 then a non-zero digit, 10-11 digits in groups (07700 900123, 0161 496 0000,
        # 07700.900.123, 07700/900123).
        rf"{_NOT_AFTER}0[1-9]\d{{8,9}}{_NOT_BEFORE}",
        rf"{_NOT_AFTER}0[1-9]\d{{1,3}}{_SEP}\d{{3,4}}{_SEP}\d{{3,4}}{_NOT_BEFORE}",
        rf"{_NOT_AFTER}0[1-9]\d{{2,3}}{_SEP}\d{{5,6}}{_NOT_BEFORE}",
        rf"{_NOT_AFTER}\(0[1-9]\d{{1,4}}\) ?\d{{3,4}}[ -]?\d{{3,4}}{_NOT_BEFORE}",
        # International (+44 ..., 0044 ...) and North American ((555) 123-4567).
        rf"(?:^|[^\w+])(?:\+|00)[1-9][\d ().-]{{7,18}}\d{_NOT_BEFORE}",
        rf"{_NOT_AFTER}\(\d{{3}}\) ?\d{{3}}[ -]?\d{{4}}{_NOT_BEFORE}",
        # The UK's country code without + or 00, then a separated number (44 7700 900123).
        rf"{_NOT_AFTER}44{_SEP}[1-9]\d{{2,4}}{_SEP}?\d{{3,4}}{_SEP}?\d{{3,4}}{_NOT_BEFORE}",
    ),
    REASON_NI: (
        rf"(?i:\b{_NI_PREFIX}{_SEP}?\d{{2}}{_SEP}?\d{{2}}{_SEP}?\d{{2}}{_SEP}?[A-D]\b)",
        rf"(?i:\b{_NI_PREFIX}{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{2}}\b)",
    ),
    _POSTCODE: (
        rf"(?i:\b{_POSTCODE_OUT} +{_POSTCODE_IN}\b)",
        rf"^\s*{_POSTCODE_OUT}{_POSTCODE_IN}\s*$",  # without the space: whole cell, capitals
    ),
    REASON_DATE: (
        rf"(?:^|[^\d.])\d{{4}}(?:-{_MON}-{_DAY}|/{_MON}/{_DAY}|\.{_MON}\.{_DAY})(?:[^\d.]|$)",
        rf"(?:^|[^\d.])\d{{1,2}}(?:-{_DAY}-{_YEAR}|/{_DAY}/{_YEAR}|\.{_DAY}\.\d{{4}})(?:[^\d.]|$)",
        # Two-digit day, month and year with dots (02.03.84).
        rf"(?:^|[^\d.])\d{{2}}\.{_MON}\.\d{{2}}(?:[^\d.]|$)",
        # A date written without separators (19840302, 20230109).
        rf"{_NOT_AFTER}(?:19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]){_NOT_BEFORE}",
        rf"(?i:\b{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+(?:\d{{4}}|'?\d{{2}})\b)",
        rf"(?i:\b{_MONTH}\.?\s+{_DAY}(?:st|nd|rd|th)?,?\s+\d{{4}}\b)",
    ),
    REASON_ADDRESS: (
        rf"(?i:\b\d{{1,4}}[a-z]?,?\s+(?:[\pL'.-]+\s+){{1,3}}{_STREET}\b)",
        r"(?i:\b(?:flat|apartment|apt)\.?\s*\d{1,4}[a-z]?\b)",
    ),
    REASON_TITLED_NAME: (r"\b(?:Mr|Mrs|Ms|Mx|Dr|MR|MRS|MS|MX|DR)\.?\s+\p{Lu}\pL+",),
    REASON_LINE_BREAK: ("[\n\r\x0b\x0c\x85\u2028\u2029]",),
}
_ANY_PATTERN = "|".join(f"(?:{p})" for patterns in _VALUE_PATTERNS.values() for p in patterns)
# Invisible characters dropped before matching, so that "0770\u200b0900123" is still a phone.
_INVISIBLE = "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
# Characters no label or id needs, refused wherever they are: control characters other than
# line breaks (a tab, NUL, escape), and the invisible ones above.
_HIDDEN = _INVISIBLE[:-1] + "\x00-\x09\x0e-\x1f\x7f-\x84\x86-\x9f]"


def identifier_rule(reason: str, action: str = "remove direct identifiers") -> str:
    """The rule a problem states for a cell the guard refused for ``reason``.

    Parameters
    ----------
    reason
        One of the reasons :func:`identifying_values` gives.
    action
        What the user should do about a direct identifier.

    Returns
    -------
    str
        The rule, without any value.

    Examples
    --------
    >>> identifier_rule(REASON_EMAIL)
    'looks like an email address; remove direct identifiers'
    """
    if reason == REASON_HIDDEN:
        return (f"holds {reason}, which make a cell look like another one or show in another "
                "order; retype it")
    return f"looks like {reason}; {action}"


def identifying_values(values: pd.Series) -> dict[str, np.ndarray]:
    """Which cells look like a direct identifier, by reason.

    Parameters
    ----------
    values : pandas.Series
        One column as text (other types are converted; missing cells never match).

    Returns
    -------
    dict
        A mapping from a reason (``"an email address"``, ``"a phone number"``, ...; the table in
        the module docstring lists them) to a boolean array aligned with ``values``. Every reason
        is present. The data layer reports each as a problem naming the file, column and rows,
        never the value. Reasons in :data:`LABEL_ONLY_REASONS` are meant for label columns.
        Full-width digits and invisible characters are normalised away before matching.

    Examples
    --------
    >>> found = identifying_values(pd.Series(["p0001", "AB 12 34 56 C", "SW1A 1AA", "123456789"]))
    >>> found["a National Insurance number"].tolist(), found["a postcode"].tolist()
    ([False, True, False, False], [False, False, True, False])
    >>> found["a phone number"].tolist()
    [False, False, False, False]
    """
    import pyarrow as pa

    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    found = identifying_distinct(pa.array(np.asarray(uniques, dtype=object),
                                          type=pa.large_string()))
    present = codes >= 0
    result = {}
    for reason, per_unique in found.items():
        spread = np.zeros(len(codes), bool)
        spread[present] = per_unique[codes[present]]
        result[reason] = spread
    return result


def identifying_distinct(array: pa.Array) -> dict[str, np.ndarray]:
    """:func:`identifying_values` for values already distinct and not missing.

    The data layer reads each column as its distinct values, so it checks those directly
    instead of factorising them again.

    Parameters
    ----------
    array : pyarrow.Array
        Distinct text values (string or large_string), none missing.

    Returns
    -------
    dict
        A mapping from each reason to a boolean array aligned with ``array``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> identifying_distinct(pa.array(["p0001", "a@b.org"]))["an email address"].tolist()
    [False, True]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(array)
    hidden = np.zeros(n, bool)
    ascii_only = pc.all(pc.string_is_ascii(array)).as_py() is not False
    if not ascii_only:
        # Hidden characters are looked for before normalising drops the invisible ones.
        hidden = pc.match_substring_regex(array, _HIDDEN).to_numpy(zero_copy_only=False)
        array = pc.replace_substring_regex(pc.utf8_normalize(array, "NFKC"), _INVISIBLE, "")
    # One pass over every value with all patterns, then each reason on the few that matched
    # (in ASCII text, the hidden characters are control characters: one more pattern of the pass).
    pattern = _ANY_PATTERN + f"|{_HIDDEN}" if ascii_only else _ANY_PATTERN
    maybe = pc.match_substring_regex(array, pattern).to_numpy(zero_copy_only=False)
    candidates = np.flatnonzero(maybe)
    subset = array.take(pa.array(candidates, type=pa.int64()))
    if ascii_only and len(candidates):
        hidden[candidates] = pc.match_substring_regex(subset, _HIDDEN).to_numpy(
            zero_copy_only=False)
    found: dict[str, np.ndarray] = {}
    for reason, patterns in _VALUE_PATTERNS.items():
        hits = np.zeros(n, bool)
        if len(candidates):
            pattern = "|".join(f"(?:{p})" for p in patterns)
            hits[candidates] = pc.match_substring_regex(subset, pattern).to_numpy(
                zero_copy_only=False)
        found[reason] = hits
    lengths = pc.utf8_length(array).to_numpy(zero_copy_only=False)
    found[REASON_LONG] = lengths > LABEL_MAX_LENGTH
    found[REASON_HIDDEN] = hidden
    return found
