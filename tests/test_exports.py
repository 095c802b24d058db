"""Research exports: scored questionnaires as CSV, Parquet, SPSS and Stata files.

Expected values are worked by hand from the forms below (comments give the arithmetic); the
files are read back with pyreadstat and pandas, not with evalkit."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from tests.conftest import SAMPLE

from evalkit.cli import main
from evalkit.data.validate import load
from evalkit.errors import OutputFolderError, UsageError
from evalkit.publish import exports
from evalkit.scales import DISCOMFORT, STSS


def _stss_forms():
    """Three STSS forms: all 17 items 3 (sums 15, 21, 15, total 51, severe); all 1 but item 1
    blank (intrusion 5; avoidance 6 of 7 answered, 6 * 7 / 6 = 7; total 16 * 17 / 16 = 17,
    little_or_none); and a form with only two answers (nothing scored)."""
    items = {c: [3, 1, None] for c in STSS.items}
    items["stss01"] = [3, None, None]
    items["stss02"] = [3, 1, 2]
    items["stss03"] = [3, 1, 2]
    return pd.DataFrame({"practitioner_id": ["s07", "s08", "s09"], "wave": ["2024", "2024", "2025"],
                         **items})


def _discomfort_forms():
    """Three forms: 12 answers of 3 and one 4 (mean 40 / 13 = 3.0769230769...); 10 threes and
    three 4s (42 / 13 = 3.2307692307...); and a form with 5 answers (too few: missing)."""
    rows = {c: [3, 3, 3] for c in DISCOMFORT.items}
    rows["d01"] = [4, 4, None]
    rows["d02"] = [3, 4, None]
    rows["d03"] = [3, 4, None]
    for c in DISCOMFORT.items[5:]:
        rows[c][2] = None
    return pd.DataFrame({"practitioner_id": ["s01", "s02", "s03"], "wave": ["pre", "post", "pre"],
                         **rows})


def test_scores_integers_stay_integers_and_missing_stays_missing():
    export = exports.instrument_export(_stss_forms(), STSS)
    frame = export.labelled()
    assert frame["intrusion"].dtype == "Int64" and frame["total"].dtype == "Int64"
    assert frame["total"].tolist()[:2] == [51, 17]
    assert frame["avoidance"].tolist()[:2] == [21, 7]
    assert frame["total"].isna().tolist() == [False, False, True]
    assert frame["total_band"].astype(object).tolist()[:2] == ["severe", "little_or_none"]
    assert pd.isna(frame["total_band"].iloc[2])
    assert frame["total_answered"].tolist() == [17, 16, 2]


def test_means_have_no_float_noise():
    export = exports.instrument_export(_discomfort_forms(), DISCOMFORT)
    means = export.frame["discomfort"]
    assert means.iloc[0] == pytest.approx(40 / 13, abs=1e-10)
    assert means.iloc[1] == pytest.approx(42 / 13, abs=1e-10)
    assert np.isnan(means.iloc[2])
    text = export.labelled().to_csv(index=False)
    assert "3.0769230769," in text and "3.2307692308," in text
    # 47.3 written from a sum of floats is a classic: it must come out as 47.3
    assert repr(float(exports._no_noise(np.array([47.300000000000004]))[0])) == "47.3"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("exp") / "exports"
    return exports.export_folder(SAMPLE, out), load(SAMPLE)


def _csv(folder, name):
    return pd.read_csv(folder / f"{name}.csv", dtype={"wave": str}, keep_default_na=False,
                       na_values=[""])


def test_csv_cells_are_plain_numbers_with_empty_cells_for_missing(exported):
    folder, _ = exported
    for path in folder.glob("*.csv"):
        text = path.read_text()
        assert not re.search(r"\d\.\d*0000000\d|\d\.\d*9999999\d", text), path.name
        assert "nan" not in text.lower() and "<NA>" not in text
    stss = (folder / "stss.csv").read_text().splitlines()
    header = stss[0].split(",")
    total = header.index("total")
    # Sums are whole numbers written without a decimal point.
    assert all(re.fullmatch(r"\d+|", row.split(",")[total]) for row in stss[1:])


@pytest.mark.parametrize("name", ["stss", "proqol", "discomfort", "partner_safety"])
def test_every_format_round_trips_the_same_values_and_labels(exported, name):
    folder, _ = exported
    csv = _csv(folder, name)
    parquet = pd.read_parquet(folder / f"{name}.parquet")
    sav, sav_meta = pyreadstat.read_sav(folder / f"{name}.sav", apply_value_formats=True)
    dta, dta_meta = pyreadstat.read_dta(folder / f"{name}.dta", apply_value_formats=True)
    book = pd.read_csv(folder / "codebook.csv", keep_default_na=False)
    book = book[book["file"] == name]
    assert list(csv.columns) == list(parquet.columns) == list(sav.columns) == list(dta.columns)
    assert list(book["column"]) == list(csv.columns)
    for meta in (sav_meta, dta_meta):
        assert meta.column_names_to_labels == dict(zip(book["column"], book["label"],
                                                       strict=True))
    for column in csv.columns:
        expected = csv[column].astype(object).where(csv[column].notna(), None).tolist()
        for other in (parquet, sav, dta):
            got = other[column].astype(object).tolist()
            got = [None if (g is None or (isinstance(g, float) and np.isnan(g)) or g is pd.NA
                            or g == "") else g for g in got]
            got = [int(g) if isinstance(g, float) and g == int(g) else g for g in got]
            exp = [int(e) if isinstance(e, float) and e == int(e) else e for e in expected]
            assert got == pytest.approx(exp) if csv[column].dtype == float else got == exp, \
                (name, column)
    # Value labels are the codebook's.
    for _, row in book[book["values"] != ""].iterrows():
        codes = dict(part.split(" = ") for part in row["values"].split("; "))
        for meta in (sav_meta, dta_meta):
            labels = meta.variable_value_labels[row["column"]]
            assert {str(int(k)): v for k, v in labels.items()} == codes
    # Whole numbers show as whole numbers in SPSS and Stata.
    for column in book.loc[book["type"] == "integer", "column"]:
        assert sav_meta.original_variable_types[column] == "F8.0"
        assert dta_meta.original_variable_types[column] in ("%8.0f", "%8.0g", "%12.0g")


def test_ids_are_the_datas_pseudonyms_and_no_other_column_is_copied(exported):
    folder, dataset = exported
    stss = _csv(folder, "stss")
    assert set(stss["practitioner_id"]) <= set(dataset.stss["practitioner_id"].astype(str))
    allowed = {"practitioner_id", "wave"} | {
        f"{s}{suffix}" for s in STSS.scales for suffix in ("", "_answered", "_band")}
    assert set(stss.columns) <= allowed
    raw = set(dataset.stss.columns) - {"practitioner_id", "wave"}
    assert not raw & set(stss.columns)  # no dates, no answers to single items
    partner = _csv(folder, "partner_safety")
    assert set(partner["participant_id"]) <= set(
        dataset.responses("partner_safety")["participant_id"].astype(str))
    assert "response_date" not in partner.columns


def test_sample_values_match_a_hand_scoring_of_one_form(exported):
    """s01's 2024 intrusion score, worked from the raw file: the answered items of 2, 3, 6, 10
    and 13, summed, times 5 over the number answered, rounded half up."""
    folder, dataset = exported
    raw = pd.read_csv(SAMPLE / "stss.csv", dtype={"wave": str})
    form = raw[(raw["practitioner_id"] == "s01") & (raw["wave"] == "2024")].iloc[0]
    answers = [form[f"stss{i:02d}"] for i in (2, 3, 6, 10, 13)]
    answered = [a for a in answers if not pd.isna(a)]
    expected = int(np.floor(sum(answered) * 5 / len(answered) + 0.5))
    stss = _csv(folder, "stss")
    row = stss[(stss["practitioner_id"] == "s01") & (stss["wave"] == "2024")].iloc[0]
    assert row["intrusion"] == expected and row["intrusion_answered"] == len(answered)


def test_export_is_refused_for_funders_before_anything_is_written(tmp_path, capsys):
    with pytest.raises(UsageError):
        exports.export_folder(SAMPLE, tmp_path / "out", audience="funder")
    assert main(["export", str(SAMPLE), "--out", str(tmp_path / "out"),
                 "--audience", "funder"]) == 2
    assert "never for funders" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_export_folder_follows_the_output_folder_rules(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own file")
    with pytest.raises(OutputFolderError):
        exports.export_folder(SAMPLE, mine)
    assert (mine / "notes.txt").read_text() == "my own file"
    with pytest.raises(OutputFolderError):
        exports.export_folder(SAMPLE, SAMPLE / "exports")
    out = tmp_path / "out"
    assert main(["export", str(SAMPLE), "--out", str(out)]) == 0
    assert (out / exports.MARKER.name).is_file()
    assert main(["export", str(SAMPLE), "--out", str(out)]) == 0  # its own output: replaced


def test_sav_and_dta_are_the_same_bytes_when_written_again_later(tmp_path):
    """Two exports of the same data, more than a second apart (the SPSS header keeps seconds,
    so without the fix byte 108 differs), are byte for byte the same; the header holds the
    fixed time, and pyreadstat still reads the values and labels back."""
    import time

    tables = exports.scored_exports(load(SAMPLE))
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    exports.write_exports(tables, first)
    time.sleep(1.2)
    exports.write_exports(tables, second)
    for name in ("stss", "discomfort", "partner_safety"):
        for suffix in ("sav", "dta", "csv"):
            a, b = (f / f"{name}.{suffix}" for f in (first, second))
            assert a.read_bytes() == b.read_bytes(), a.name
        sav = (first / f"{name}.sav").read_bytes()
        assert sav[92:109] == b"01 Jan 0000:00:00"  # date 'dd mmm yy', then time
        assert b"<timestamp>\x1101 Jan 2000 00:00</timestamp>" in \
            (first / f"{name}.dta").read_bytes()
    frame, meta = pyreadstat.read_sav(first / "stss.sav")
    dta, dta_meta = pyreadstat.read_dta(first / "stss.dta")
    expected = tables["stss"]
    assert len(frame) == len(dta) == len(expected.frame)
    for v in expected.variables:
        assert meta.column_names_to_labels[v.name] == v.label
        assert dta_meta.column_names_to_labels[v.name] == v.label[:80]
    coded = [v for v in expected.variables if v.values]
    assert coded and all(meta.variable_value_labels[v.name] == v.values for v in coded)
    assert all(dta_meta.variable_value_labels[v.name] == v.values for v in coded)
    assert meta.creation_time == dta_meta.creation_time == pd.Timestamp(2000, 1, 1)


def test_source_date_epoch_sets_the_header_time_and_a_foreign_header_is_refused(tmp_path,
                                                                               monkeypatch):
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    sav, dta = tmp_path / "t.sav", tmp_path / "t.dta"
    pyreadstat.write_sav(frame, sav)
    pyreadstat.write_dta(frame, dta)
    exports.fix_header_time(sav)
    exports.fix_header_time(dta)
    assert sav.read_bytes()[92:109] == b"14 Nov 2322:13:20"
    assert b"<timestamp>\x1114 Nov 2023 22:13</timestamp>" in dta.read_bytes()
    assert pyreadstat.read_sav(sav)[0]["x"].tolist() == [1.0, 2.0]
    other = tmp_path / "other.sav"
    other.write_bytes(b"not an SPSS file" * 20)
    with pytest.raises(ValueError, match="no creation time"):
        exports.fix_header_time(other)
    assert other.read_bytes() == b"not an SPSS file" * 20
