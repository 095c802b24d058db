"""A programme's own questionnaires, described in ``instruments/<name>.toml`` beside the data.

A spec file is read with the standard library's :mod:`tomllib` and turned into an
:class:`~evalkit.scales.spec.Instrument`, the same kind of spec as the built-in scales, so the same
scoring and analysis apply. Every problem is collected and returned as a
:class:`~evalkit.errors.Problem` naming the spec file and the key; no message repeats a value from
the file other than item numbers, so a spec cannot leak data into a log. The answers of instrument
``name`` are in ``<data_dir>/<name>.csv``; the data layer checks them against
``instrument.contract()`` like any other file.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..io.contracts import CONTRACTS
from ..io.read import INSTRUMENTS_FOLDER
from .spec import (
    DEFAULT_PRORATE_MIN,
    NAME_PATTERN,
    Band,
    Instrument,
    SpecInconsistency,
)

SPEC_MAX_BYTES = 64 * 1024

#: Keys of a spec file: key -> (required, what its value must be).
KEYS: dict[str, tuple[bool, str]] = {
    "title": (True, "text in quotes"),
    "respondent": (True, "text in quotes: participant, partner or practitioner"),
    "id_column": (True, "text in quotes: participant_id or practitioner_id"),
    "waves": (True, "a list of wave labels in quotes, such as [\"intake\", \"exit\"]"),
    "items": (True, "a whole number"),
    "min": (True, "a whole number"),
    "max": (True, "a whole number"),
    "reversed": (False, "a list of item numbers, such as [2, 5]"),
    "score": (True, "text in quotes: sum or mean"),
    "prorate_min": (False, "a number such as 0.8"),
    "higher_is": (True, "text in quotes: worse or better"),
    "reliability": (False, "a number such as 0.85"),
    "functional_mean": (False, "a number: the total's mean in a functional population"),
    "functional_sd": (False, "a positive number: the total's SD in a functional population"),
    "bands": (False, "a list of bands such as [{name = \"low\", from = 0}]"),
    "subscales": (False, "a table of subscale names and item lists, such as fear = [1, 2, 3]"),
    "item_labels": (False, "a list of short labels in quotes, one per item"),
    "citation": (False, "text in quotes"),
}
BAND_KEYS = ("name", "from")
#: Likely slips that difflib does not catch, with what was meant.
_ALIASES = {
    "minimum": "min", "maximum": "max", "reverse": "reversed", "reversed_items": "reversed",
    "reverse_items": "reversed", "n_items": "items", "item_count": "items", "min_answered":
    "prorate_min", "direction": "higher_is", "respondents": "respondent", "labels": "item_labels",
    "method": "score", "cutoffs": "bands", "cut_offs": "bands",
}
#: Keys whose value other checks rely on: when one is missing or mistyped, their problems would
#: only repeat it, so they are not reported.
_DEPENDS = {
    "items": ("reversed", "subscales", "bands", "item_labels"),
    "min": ("max", "bands"),
    "max": ("bands",),
    "score": ("bands",),
    "subscales": ("bands",),
    "respondent": ("id_column",),
}
_PLACEHOLDERS: dict[str, Any] = {
    "title": "untitled", "respondent": "participant", "id_column": "participant_id",
    "waves": ("baseline",), "items": 2, "min": 0, "max": 1, "reversed": (), "score": "sum",
    "prorate_min": DEFAULT_PRORATE_MIN, "higher_is": "worse", "reliability": None,
    "functional_mean": None, "functional_sd": None, "bands": None, "subscales": {}, "item_labels": None, "citation": "",
}
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
#: tomllib messages without text from the file, and plain wording for those that quote it.
_TOML_REASONS = {
    "Cannot declare": "a table is declared twice",
    "Cannot overwrite a value": "a key is given twice",
    "Duplicate inline table key": "a key is given twice in an inline table",
    "Found invalid character": "a character that is not allowed here",
    "Illegal character": "a character that is not allowed in a string",
    "Cannot mutate immutable namespace": "a table is extended after it was closed",
    "Cannot redefine namespace": "a table is declared twice",
    "Expected '=' after a key": "a key without '=' and a value",
    "Expected ']'": "a missing ']'",
    "Expected ']]'": "a missing ']]'",
    "Expected": "a missing quote, bracket or comma",
    "Unclosed array": "a list without its closing ']'",
    "Unclosed inline table": "an inline table without its closing '}'",
    "Unterminated string": "text without its closing quote",
    "Invalid initial character for a key part": "a key that starts with a character not allowed",
    "Invalid statement": "a line that is not 'key = value' or a [table] header",
    "Invalid value": "a value that is not text in quotes, a number, a list or a table",
    "Invalid date or datetime": "an invalid date",
    "Unescaped '\\' in a string": "an unescaped backslash in a string",
    "Invalid hex value": "an invalid escape in a string",
}


def find_instruments(data_dir: str | Path) -> tuple[list[Instrument], list[Problem]]:
    """Every instrument spec in ``<data_dir>/instruments/`` and the problems found in the specs.

    The answers of instrument ``name`` are in ``<data_dir>/<name>.csv``; the data layer checks
    them against ``instrument.contract()`` like any other file. A folder without
    ``instruments/`` has no own instruments (and no problems).

    Parameters
    ----------
    data_dir
        The data folder.

    Returns
    -------
    tuple of (list of Instrument, list of Problem)
        The valid specs sorted by name, and every problem found (errors for refused specs,
        warnings for ignored files). A refused spec is left out of the list.

    Examples
    --------
    >>> specs, problems = find_instruments("data/sample")  # run from the project folder
    >>> [s.name for s in specs], problems
    (['partner_safety'], [])
    """
    folder = Path(data_dir) / INSTRUMENTS_FOLDER
    if not folder.exists():
        return [], []
    if not folder.is_dir():
        return [], [Problem(INSTRUMENTS_FOLDER, None, "is not a folder: instrument specs go in a "
                            "folder named instruments, one <name>.toml file each")]
    specs: list[Instrument] = []
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        label = f"{INSTRUMENTS_FOLDER}/{path.name}"
        if path.name.startswith("."):
            continue
        if path.suffix != ".toml" or not path.is_file():
            problems.append(Problem(label, None, "ignored: instrument specs are files ending in "
                                    ".toml", severity="warning"))
            continue
        if path.stat().st_size > SPEC_MAX_BYTES:
            problems.append(Problem(label, None, f"is larger than {SPEC_MAX_BYTES // 1024} KB: "
                                    "not an instrument spec"))
            continue
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(Problem(label, None, "is not UTF-8 text; save it as UTF-8"))
            continue
        spec, found = parse_instrument(text, name=path.stem, source=label)
        problems += found
        if spec is not None:
            specs.append(spec)
    return sorted(specs, key=lambda s: s.name), problems


def parse_instrument(text: str, *, name: str,
                     source: str | None = None) -> tuple[Instrument | None, list[Problem]]:
    """Read one spec from TOML text; returns the instrument (``None`` if refused) and problems.

    Parameters
    ----------
    text
        The content of ``instruments/<name>.toml``.
    name
        The instrument's name: the file stem, which also names the answers file.
    source
        How messages name the spec file (default ``instruments/<name>.toml``).

    Returns
    -------
    tuple of (Instrument or None, list of Problem)
        The spec, or None when it breaks a rule, and every problem found, named by the TOML
        key it concerns.

    Examples
    --------
    >>> spec, problems = parse_instrument('''
    ... title = "Check-in"
    ... respondent = "participant"
    ... id_column = "participant_id"
    ... waves = ["start", "end"]
    ... items = 4
    ... min = 1
    ... max = 5
    ... reversed = [4]
    ... score = "mean"
    ... higher_is = "better"
    ... ''', name="check_in")
    >>> spec.items, spec.reversed, problems
    (('i01', 'i02', 'i03', 'i04'), (4,), [])
    >>> _, problems = parse_instrument("items = 1", name="broken")
    >>> problems[0].describe()
    "instruments/broken.toml: key 'title': missing (required: text in quotes)"
    """
    source = source or f"{INSTRUMENTS_FOLDER}/{name}.toml"
    problems: list[Problem] = []

    def refuse(key: str | None, rule: str) -> None:
        problems.append(Problem(source, None, rule if key is None else f"key '{key}': {rule}"))

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        refuse(None, _toml_message(error, text))
        return None, problems

    bad: set[str] = set()  # keys missing or of the wrong type: their value is not checked further
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        refuse(None, "the file name must be lower-case letters, digits and underscores, "
                     "starting with a letter, at most 40 characters, then .toml (it names the "
                     "answers file <name>.csv)")
        bad.add("name")
    elif name in CONTRACTS:
        refuse(None, f"the file name is taken by evalkit's own {name}.csv: rename the spec and "
                     "its answers file")
        bad.add("name")

    for key in document:
        if key not in KEYS:
            refuse(None, _unknown_key(key, KEYS))
    for key, (required, _) in KEYS.items():
        if key not in document and required:
            refuse(key, f"missing (required: {KEYS[key][1]})")
            bad.add(key)

    values: dict[str, Any] = {}
    for key in KEYS:
        if key not in document:
            continue
        value, rule = _typed(key, document[key])
        if rule:
            refuse(key, rule)
            bad.add(key)
        else:
            values[key] = value

    fields = {key: values.get(key, _PLACEHOLDERS[key]) if key not in bad else _PLACEHOLDERS[key]
              for key in KEYS}
    bands = fields["bands"]
    try:
        spec = Instrument(
            name=name if "name" not in bad else "placeholder",
            title=fields["title"],
            respondent=fields["respondent"],
            id_column=fields["id_column"],
            waves=fields["waves"],
            n_items=fields["items"],
            min=fields["min"],
            max=fields["max"],
            reversed=fields["reversed"],
            score_rule=fields["score"],
            prorate_min=fields["prorate_min"],
            higher_is=fields["higher_is"],
            reliability=fields["reliability"],
            functional_mean=fields["functional_mean"],
            functional_sd=fields["functional_sd"],
            bands={} if bands is None else {"total": bands},
            subscales=fields["subscales"],
            total="total",
            citation=fields["citation"],
            item_labels=fields["item_labels"],
        )
    except SpecInconsistency as error:
        spec = None
        silenced = set(bad)
        for key in bad:
            silenced.update(_DEPENDS.get(key, ()))
        for key, rule in error.issues:
            if key.split(".")[0] not in silenced:
                refuse(key, rule)
    if problems:
        return None, problems
    return spec, problems


def _typed(key: str, value: Any) -> tuple[Any, str]:
    """The value converted for the spec, or a rule saying what it should be."""
    expected = KEYS[key][1]
    wrong = (None, f"must be {expected}")
    if key in ("title", "respondent", "id_column", "score", "higher_is", "citation"):
        return (value, "") if isinstance(value, str) else wrong
    if key in ("items", "min", "max"):
        return (value, "") if _is_int(value) else wrong
    if key in ("prorate_min", "reliability", "functional_mean", "functional_sd"):
        return (value, "") if _is_number(value) else wrong
    if key in ("waves", "item_labels"):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return (tuple(value), "") if ok else wrong
    if key == "reversed":
        ok = isinstance(value, list) and all(_is_int(v) for v in value)
        return (tuple(value), "") if ok else wrong
    if key == "subscales":
        if not isinstance(value, dict):
            return wrong
        for items in value.values():
            if not isinstance(items, list) or not all(_is_int(v) for v in items):
                return None, "each subscale must be a list of item numbers, such as fear = [1, 2]"
        return {k: tuple(v) for k, v in value.items()}, ""
    if key == "bands":
        if not isinstance(value, list) or not all(isinstance(b, dict) for b in value):
            return wrong
        for band in value:
            unknown = [k for k in band if k not in BAND_KEYS]
            if unknown:
                return None, "in a band, " + _unknown_key(unknown[0], BAND_KEYS)
            if not isinstance(band.get("name"), str) or not _is_number(band.get("from")):
                return None, "each band needs a name in quotes and a from score, such as " \
                             "{name = \"low\", from = 0}"
        return tuple(Band(b["name"], b["from"]) for b in value), ""
    raise AssertionError(key)  # every key of KEYS is handled above


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return _is_int(value) or (isinstance(value, float) and value == value
                              and abs(value) != float("inf"))


def _unknown_key(key: str, known) -> str:
    shown = f"'{key}'" if _SAFE_KEY.match(key) else "with characters a key cannot have"
    if key == "name":
        return ("unknown key 'name': an instrument's name is its file name "
                "(instruments/<name>.toml); remove this key")
    hint = _ALIASES.get(key.lower()) if key.lower() in _ALIASES else None
    if hint is None or hint not in known:
        close = difflib.get_close_matches(key.lower(), list(known), n=1, cutoff=0.6)
        hint = close[0] if close else None
    message = f"unknown key {shown}"
    return f"{message}; did you mean '{hint}'?" if hint else \
        f"{message}; known keys are " + ", ".join(known)


def _toml_message(error: tomllib.TOMLDecodeError, text: str) -> str:
    message = str(error)
    where = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if where is not None:
        place = f"at line {where.group(1)}, column {where.group(2)}"
    else:  # "at end of document": name the last line that holds anything
        place = f"at the end of the file (line {max(1, len(text.rstrip().splitlines()))})"
    head = message.split(" (at ")[0]
    reason = next((plain for start, plain in _TOML_REASONS.items() if head.startswith(start)),
                  "a syntax error")
    return f"is not valid TOML {place}: {reason}"


def spec_toml(spec: Instrument) -> str:
    """A spec written back as TOML from what was parsed: no comment or stray text of the file.

    ``evalkit pseudonymise`` copies a folder's specs this way, so that a comment holding a name
    or a phone number never reaches the pseudonymised copy.

    Parameters
    ----------
    spec
        An instrument read by :func:`parse_instrument` (its total is called ``total``).

    Returns
    -------
    str
        TOML text that :func:`parse_instrument` reads back to an equal instrument.

    Examples
    --------
    >>> specs, _ = find_instruments("data/sample")
    >>> text = spec_toml(specs[0])
    >>> "#" in text, parse_instrument(text, name=specs[0].name)[0] == specs[0]
    (False, True)
    """
    lines = [
        f"title = {_toml_value(spec.title)}",
        f"respondent = {_toml_value(spec.respondent)}",
        f"id_column = {_toml_value(spec.id_column)}",
        f"waves = {_toml_value(list(spec.waves or ()))}",
        f"items = {spec.n_items}",
        f"min = {spec.min}",
        f"max = {spec.max}",
        f"reversed = {_toml_value(list(spec.reversed))}",
        f"score = {_toml_value(spec.score_rule)}",
        f"prorate_min = {_toml_value(spec.prorate_min)}",
        f"higher_is = {_toml_value(spec.higher_is)}",
    ]
    if spec.reliability is not None:
        lines.append(f"reliability = {_toml_value(spec.reliability)}")
    if spec.citation:
        lines.append(f"citation = {_toml_value(spec.citation)}")
    if spec.item_labels is not None:
        lines.append(f"item_labels = {_toml_value(list(spec.item_labels))}")
    total_bands = spec.bands.get(spec.total) if spec.total else None
    if total_bands:
        bands = ", ".join(f"{{name = {_toml_value(b.label)}, from = {_toml_value(b.lowest)}}}"
                          for b in total_bands)
        lines.append(f"bands = [{bands}]")
    if spec.subscales:
        lines += ["", "[subscales]"]
        lines += [f"{name} = {_toml_value(list(items))}" for name, items in spec.subscales.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch in '"\\':
                out.append("\\" + ch)
            elif not ch.isprintable():
                out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")
