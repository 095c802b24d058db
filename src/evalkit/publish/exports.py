"""Scored questionnaires, one row per person and wave, for researchers' own software.

``evalkit export DATA --out DIR`` and the research report (its ``exports/`` folder) write, for each
questionnaire in the folder (the built-in discomfort checklist, STSS and ProQOL, and a
programme's own instruments), one table in four formats that R, SPSS, Stata and Python users open
directly:

* ``<instrument>.csv``: numbers as plain numbers, an empty cell where a score is missing, whole
  numbers without a decimal point, no float noise (``47.300000000000004`` is written ``47.3``);
* ``<instrument>.parquet``: the same, typed (nullable integers, doubles, categories);
* ``<instrument>.sav`` (SPSS) and ``<instrument>.dta`` (Stata): the same values, with a variable
  label on every column and value labels on the coded columns (wave and bands), from the
  instrument's spec, and the same bytes each time the same data are exported (below);
* ``codebook.csv``: every column of every table, its label, type and value labels.

A row holds the person's pseudonymous id (as it is in the data folder, already checked by
:func:`evalkit.load`), the wave, and for each scale its score, the number of items answered and
its band. Nothing else of the data folder is copied: no dates, no answers to single items, no
other columns. The exports are exact, so they are refused for the funder audience. An export
folder follows the rules of every evalkit output folder (:mod:`evalkit.io.outfolder`): it
holds a marker file and is replaced only when it has one.

SPSS and Stata files carry the time they were written in their header, so two exports of the
same data would differ. pyreadstat has no option for it (``write_sav`` and ``write_dta`` take
none), so after writing, the header's creation time is set to :data:`FIXED_TIME` (1 January 2000,
00:00), or to ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) when that variable is set, as
reproducible builds do. The time on disk still says when a file was written; the header says
nothing a reader needs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..errors import UsageError
from ..io.outfolder import Marker, Protected, check_output_folder, checkout_root, staged_output
from ..scales import BUILTIN, score
from ..scales.spec import Instrument

#: The formats written for each instrument, by file suffix.
FORMATS = ("csv", "parquet", "sav", "dta")
#: Decimals kept in a mean score: enough for any questionnaire, and no binary float noise.
DECIMALS = 10
#: Longest variable name Stata accepts (SPSS allows 64).
_STATA_NAME = 32
#: Longest variable label Stata keeps.
_STATA_LABEL = 80
#: Creation time written into every ``.sav`` and ``.dta`` header (unless ``SOURCE_DATE_EPOCH``).
FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)
#: Where the creation date and time sit in an SPSS header (after rec_type, product name,
#: layout code, case size, compression, weight index, case count and bias).
_SAV_DATE, _SAV_TIME = slice(92, 101), slice(101, 109)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

MARKER = Marker(
    ".evalkit-export",
    "evalkit export folder. This folder was written by 'evalkit export'; evalkit deletes and "
    "replaces it when asked to export here again. Delete this file to stop that.\n",
    "export", "evalkit export folder")


@dataclass(frozen=True)
class Variable:
    """One column of an export: its name, label, type and value labels.

    Parameters
    ----------
    name
        Column name (at most 32 characters, so that Stata keeps it).
    label
        Variable label.
    kind
        ``"id"``, ``"code"`` (integers standing for the labels in ``values``), ``"integer"`` or
        ``"decimal"``.
    values
        Code to label, for a ``code`` column.

    Examples
    --------
    >>> Variable("wave", "Wave", "code", {1: "pre", 2: "post"}).values[2]
    'post'
    """

    name: str
    label: str
    kind: str
    values: dict[int, str] | None = None


@dataclass(frozen=True)
class Export:
    """One instrument's scored forms: the values (codes where labelled) and their variables.

    Parameters
    ----------
    name
        The instrument's name (the files are ``<name>.csv`` ...).
    title
        The instrument's title.
    frame
        One row per form: ids as text, codes and counts as nullable integers, means as doubles.
    variables
        One per column of ``frame``, in order.

    Examples
    --------
    >>> import evalkit
    >>> stss = scored_exports(evalkit.load("data/sample"))["stss"]
    >>> stss.frame.columns[:4].tolist()
    ['practitioner_id', 'wave', 'intrusion', 'intrusion_answered']
    """

    name: str
    title: str
    frame: pd.DataFrame
    variables: tuple[Variable, ...]

    def labelled(self) -> pd.DataFrame:
        """The table with codes replaced by their labels (what the CSV and Parquet files hold).

        Returns
        -------
        DataFrame
            Coded columns as ordered categoricals of their labels; the rest as in ``frame``.

        Examples
        --------
        >>> import evalkit
        >>> stss = scored_exports(evalkit.load("data/sample"))["stss"]
        >>> stss.labelled()["total_band"].cat.categories.tolist()
        ['little_or_none', 'mild', 'moderate', 'high', 'severe']
        """
        table = self.frame.copy()
        for v in self.variables:
            if v.kind == "code":
                codes = table[v.name]
                labels = list(v.values.values())
                positions = codes.astype("float64").to_numpy() - 1
                table[v.name] = pd.Categorical.from_codes(
                    np.where(np.isnan(positions), -1, positions).astype(int),
                    dtype=pd.CategoricalDtype(labels, ordered=True))
        return table


def _variable_name(name: str, taken: set[str]) -> str:
    """A column name Stata accepts: letters, digits and underscores, at most 32 characters,
    and not the same (ignoring case) as one already taken."""
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    clean = clean if re.match(r"[A-Za-z]", clean) else f"v_{clean}"
    base, n = clean[:_STATA_NAME], 2
    clean = base
    while clean.lower() in taken:
        suffix = f"_{n}"
        clean, n = base[:_STATA_NAME - len(suffix)] + suffix, n + 1
    taken.add(clean.lower())
    return clean


def _no_noise(values: np.ndarray) -> np.ndarray:
    """Decimals cut to :data:`DECIMALS`: a mean such as 47.300000000000004 becomes 47.3."""
    return np.round(values.astype("float64"), DECIMALS)


def _whole(values: np.ndarray) -> bool:
    finite = values[~np.isnan(values)]
    return bool(np.all(finite == np.floor(finite)))


def instrument_export(forms: pd.DataFrame, instrument: Instrument) -> Export:
    """Score one instrument's forms into an :class:`Export`.

    Parameters
    ----------
    forms
        One row per form with the id column, ``wave`` and the item columns, as
        :func:`evalkit.load` returns them.
    instrument
        The instrument's spec.

    Returns
    -------
    Export
        The id, the wave (coded in the order of the spec's waves, or of first appearance), and
        per scale its score (whole numbers for sums), the items answered and its band (coded).

    Examples
    --------
    >>> from evalkit.scales import DISCOMFORT
    >>> forms = pd.DataFrame({"practitioner_id": ["s01", "s02"], "wave": ["pre", "pre"],
    ...                       **{f"d{i:02d}": [3, None] for i in range(1, 14)}})
    >>> forms.loc[0, "d01"] = 4  # a mean of 40 / 13
    >>> export = instrument_export(forms, DISCOMFORT)
    >>> export.frame["discomfort"].tolist(), export.frame["discomfort_answered"].tolist()
    ([3.0769230769, nan], [13, 0])
    >>> export.variables[1].values
    {1: 'pre', 2: 'post', 3: 'follow_up'}
    """
    id_column = instrument.id_column
    scored = score(forms, instrument, keep=(id_column, "wave"))
    taken: set[str] = set()
    columns: dict[str, object] = {}
    variables = []

    def add(name: str, label: str, kind: str, values, labels=None) -> None:
        column = _variable_name(name, taken)
        columns[column] = values
        variables.append(Variable(column, label[:_STATA_LABEL], kind, labels))

    add(id_column, f"Pseudonymous id of the {instrument.respondent}", "id",
        scored[id_column].astype("string").to_numpy())
    waves_seen = list(dict.fromkeys(scored["wave"].astype(str)))
    waves = [*(instrument.waves or ()), *(w for w in waves_seen if w not in (instrument.waves or ()))]
    wave_codes = {w: i for i, w in enumerate(waves, start=1)}
    add("wave", "Wave of the questionnaire", "code",
        pd.array([wave_codes[w] for w in scored["wave"].astype(str)], dtype="Int64"),
        {i: w for w, i in wave_codes.items()})
    how = "mean of the answered items" if instrument.score_rule == "mean" else (
        "sum of the items, prorated when some are blank")
    for scale, items in instrument.scales.items():
        values = scored[scale].to_numpy(dtype="float64", na_value=np.nan)
        whole = instrument.score_rule != "mean" and _whole(values)
        add(scale, f"{words(scale)} score ({how})", "integer" if whole else "decimal",
            pd.array(np.where(np.isnan(values), None, values), dtype="Int64") if whole
            else _no_noise(values))
        answered = f"{scale}_answered" if len(scale) <= _STATA_NAME - 9 else f"{scale}_n"
        add(answered, f"{words(scale)}: items answered of {len(items)}", "integer",
            pd.array(scored[f"{scale}_answered"].to_numpy(), dtype="Int64"))
        if scale in instrument.bands:
            band = scored[f"{scale}_band"]
            codes = band.cat.codes.to_numpy().astype("float64") + 1
            codes[codes == 0] = np.nan
            add(f"{scale}_band", f"{words(scale)} band", "code",
                pd.array(np.where(np.isnan(codes), None, codes), dtype="Int64"),
                {i: b for i, b in enumerate(band.cat.categories, start=1)})
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(scored)))
    return Export(instrument.name, instrument.title, frame, tuple(variables))


def words(name: str) -> str:
    """A scale's name as words: ``secondary_traumatic_stress`` -> ``Secondary traumatic stress``.

    Parameters
    ----------
    name
        A scale name.

    Returns
    -------
    str
        The name with spaces, capitalised.

    Examples
    --------
    >>> words("compassion_satisfaction")
    'Compassion satisfaction'
    """
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def scored_exports(dataset: Dataset) -> dict[str, Export]:
    """Every questionnaire of a data folder, scored for export, by instrument name.

    Parameters
    ----------
    dataset
        A loaded data folder (:func:`evalkit.load`).

    Returns
    -------
    dict of str to Export
        The built-in instruments whose files are present, then the folder's own instruments.

    Examples
    --------
    >>> import evalkit
    >>> sorted(scored_exports(evalkit.load("data/sample")))
    ['discomfort', 'partner_safety', 'proqol', 'stss']
    """
    found = {}
    for name, instrument in BUILTIN.items():
        if dataset.has(name):
            found[name] = instrument_export(dataset.tables[name], instrument)
    for name, instrument in dataset.instruments.items():
        if dataset.has(name):
            found[name] = instrument_export(dataset.responses(name), instrument)
    return found


def codebook(exports: dict[str, Export]) -> pd.DataFrame:
    """One row per column of every export: file, column, label, type and value labels.

    Parameters
    ----------
    exports
        From :func:`scored_exports`.

    Returns
    -------
    DataFrame
        Columns ``file``, ``column``, ``label``, ``type``, ``values`` (``1 = pre; 2 = post``).

    Examples
    --------
    >>> import evalkit
    >>> book = codebook(scored_exports(evalkit.load("data/sample")))
    >>> book.loc[book["column"] == "total_band", "values"].iloc[0]
    '1 = little_or_none; 2 = mild; 3 = moderate; 4 = high; 5 = severe'
    """
    rows = [{"file": e.name, "column": v.name, "label": v.label, "type": v.kind,
             "values": "; ".join(f"{k} = {t}" for k, t in (v.values or {}).items())}
            for e in exports.values() for v in e.variables]
    return pd.DataFrame(rows, columns=["file", "column", "label", "type", "values"])


def header_time() -> datetime:
    """The creation time written into ``.sav`` and ``.dta`` headers.

    Returns
    -------
    datetime
        ``SOURCE_DATE_EPOCH`` (UTC) when that variable holds a whole number of seconds,
        otherwise :data:`FIXED_TIME`.

    Examples
    --------
    >>> header_time().isoformat()
    '2000-01-01T00:00:00+00:00'
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return FIXED_TIME


def fix_header_time(path: Path, when: datetime | None = None) -> None:
    """Set the creation time in the header of a ``.sav`` or ``.dta`` file written by pyreadstat.

    The field is checked before it is overwritten: a header that does not hold a time where
    the format puts one is refused, never patched blindly.

    Parameters
    ----------
    path
        An SPSS (``.sav``) or Stata 117-119 (``.dta``) file.
    when
        The time to write; None for :func:`header_time`.

    Raises
    ------
    ValueError
        When the file is neither, or its header holds no time where the format puts one.

    Examples
    --------
    >>> import pyreadstat, tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.dta"
    >>> pyreadstat.write_dta(pd.DataFrame({"x": [1.0]}), path)
    >>> fix_header_time(path)
    >>> b"<timestamp>\\x1101 Jan 2000 00:00</timestamp>" in path.read_bytes()
    True
    """
    when = when or header_time()
    month = _MONTHS[when.month - 1]
    data = bytearray(path.read_bytes())
    if path.suffix == ".sav":
        date, time = bytes(data[_SAV_DATE]), bytes(data[_SAV_TIME])
        if not (data[:4] == b"$FL2" and re.fullmatch(rb"\d\d [A-Z][a-z]{2} \d\d", date)
                and re.fullmatch(rb"\d\d:\d\d:\d\d", time)):
            raise ValueError(f"{path.name}: no creation time where an SPSS header holds it")
        data[_SAV_DATE] = f"{when.day:02d} {month} {when.year % 100:02d}".encode("ascii")
        data[_SAV_TIME] = f"{when:%H:%M:%S}".encode("ascii")
    elif path.suffix == ".dta":
        found = re.search(rb"<timestamp>\x11(\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d)</timestamp>",
                          bytes(data[:4096]))
        if not found:
            raise ValueError(f"{path.name}: no creation time where a Stata header holds it")
        data[found.start(1):found.end(1)] = \
            f"{when.day:02d} {month} {when.year:04d} {when:%H:%M}".encode("ascii")
    else:
        raise ValueError(f"{path.name}: not a .sav or .dta file")
    path.write_bytes(bytes(data))


def write_exports(exports: dict[str, Export], folder: Path) -> list[Path]:
    """Write every export in every format into ``folder``, with ``codebook.csv``.

    Parameters
    ----------
    exports
        From :func:`scored_exports`.
    folder
        An existing folder evalkit is building (a staging folder).

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import evalkit, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> files = write_exports(scored_exports(evalkit.load("data/sample")), folder)
    >>> sorted(p.name for p in files)[:5]
    ['codebook.csv', 'discomfort.csv', 'discomfort.dta', 'discomfort.parquet', 'discomfort.sav']
    """
    import pyreadstat

    written = []
    for export in exports.values():
        labelled = export.labelled()
        path = folder / f"{export.name}.csv"
        labelled.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
        path = folder / f"{export.name}.parquet"
        labelled.to_parquet(path, index=False)
        written.append(path)
        labels = {v.name: v.label for v in export.variables}
        value_labels = {v.name: v.values for v in export.variables if v.values}
        # SPSS and Stata hold numbers as doubles with a system-missing value: whole numbers
        # are given a format without decimals so they show as integers.
        numbers = export.frame.copy()
        for v in export.variables:
            if v.kind in ("integer", "code"):
                column = numbers[v.name]
                # Stata keeps a whole-number column without gaps as an integer type.
                numbers[v.name] = (column.astype("int32") if not column.isna().any()
                                   else column.astype("float64"))
            elif v.kind == "id":
                numbers[v.name] = numbers[v.name].astype(object)
        whole = {v.name for v in export.variables if v.kind in ("integer", "code")}
        path = folder / f"{export.name}.sav"
        pyreadstat.write_sav(numbers, path, file_label=export.title, column_labels=labels,
                             variable_value_labels=value_labels,
                             variable_format={c: "F8.0" for c in whole},
                             variable_measure={v.name: "nominal" if v.kind in ("id", "code")
                                               else "scale" for v in export.variables})
        fix_header_time(path)
        written.append(path)
        path = folder / f"{export.name}.dta"
        pyreadstat.write_dta(numbers, path, file_label=export.title[:_STATA_LABEL],
                             column_labels=labels, variable_value_labels=value_labels,
                             variable_format={c: "%8.0f" for c in whole})
        fix_header_time(path)
        written.append(path)
    path = folder / "codebook.csv"
    codebook(exports).to_csv(path, index=False, lineterminator="\n")
    written.append(path)
    return written


def export_folder(data_dir: str | os.PathLike, out_dir: str | os.PathLike, *,
                  audience: str = "research", period: str | None = None) -> Path:
    """``evalkit export``: write the scored questionnaires of ``data_dir`` into ``out_dir``.

    Parameters
    ----------
    data_dir
        The data folder.
    out_dir
        The export folder: new, empty or an earlier export (it may not overlap the data folder
        or the evalkit checkout).
    audience
        ``"research"`` or ``"internal"``; the exports hold exact per-person scores, so
        ``"funder"`` is refused.
    period
        ``"YYYY-MM:YYYY-MM"``: only forms answered in these months.

    Returns
    -------
    Path
        The export folder.

    Raises
    ------
    UsageError
        For the funder audience or a folder without questionnaires.
    OutputFolderError
        When ``out_dir`` may not be used.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "exports"
    >>> sorted(p.name for p in export_folder("data/sample", out).iterdir())[:3]
    ['.evalkit-export', 'codebook.csv', 'discomfort.csv']
    >>> export_folder("data/sample", out, audience="funder")
    Traceback (most recent call last):
    ...
    evalkit.errors.UsageError: exports hold exact per-person scores: they are for the research or internal audience, never for funders
    """
    from ..analyses.tables import AUDIENCES
    from ..data.validate import load
    from .page import Page

    refuse_funder(audience)
    if audience not in AUDIENCES:
        raise UsageError(f"unknown audience; choose one of {', '.join(AUDIENCES)}")
    data_dir = Path(data_dir)
    protected = [Protected(data_dir, "the data folder")]
    root = checkout_root()
    if root is not None:
        protected.append(Protected(root, "the evalkit checkout", allow_inside=root / "reports"))
    target = check_output_folder(out_dir, marker=MARKER, protected=protected)
    dataset = Page(dataset=load(data_dir), audience=audience, period=period).dataset
    exports = scored_exports(dataset)
    if not exports:
        raise UsageError(f"{data_dir.name} holds no questionnaire answers; nothing to export")
    with staged_output(target, marker=MARKER,
                       recheck=lambda: check_output_folder(out_dir, marker=MARKER,
                                                           protected=protected)) as staging:
        write_exports(exports, staging)
    return target


def refuse_funder(audience: str) -> None:
    """Refuse per-person exports for the funder audience.

    Parameters
    ----------
    audience
        The audience asked for.

    Raises
    ------
    UsageError
        For ``"funder"``.

    Examples
    --------
    >>> refuse_funder("research")
    """
    if audience == "funder":
        raise UsageError("exports hold exact per-person scores: they are for the research or "
                         "internal audience, never for funders")
