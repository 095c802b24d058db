"""Disclosure control: hand-worked cases and properties that must hold for any table."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.publish import disclosure
from evalkit.publish.disclosure import SECONDARY, suppress


def _bands(counts_by_wave):
    rows = []
    for wave, counts in counts_by_wave.items():
        for band, n in enumerate(counts):
            rows.append({"wave": wave, "band": f"b{band}", "n": n, "scored": sum(counts)})
    table = pd.DataFrame(rows)
    table["percent"] = table["n"] / table["scored"].where(table["scored"] > 0)
    return table


def test_hand_worked_band_table():
    table = _bands({"2024": [2, 9, 14, 7], "2025": [6, 8, 11, 5], "2026": [1, 1, 1, 0]})
    out = suppress(table, "n", min_cell=5, within="wave", total="scored", withhold=["percent"])
    # 2024: 2 is small; the smallest other (7) is withheld so 2 cannot be worked back
    assert out["n"].tolist()[:4] == ["<5", "9", "14", SECONDARY]
    # 2025: nothing small, nothing hidden
    assert out["n"].tolist()[4:8] == ["6", "8", "11", "5"]
    # 2026: a total of 3 people hides the whole wave, the total included
    assert out["n"].tolist()[8:] == ["<5"] * 4 and set(out["scored"][8:]) == {"<5"}
    assert out["percent"].isna().tolist() == [True, False, False, True] + [False] * 4 + [True] * 4
    assert table["n"].tolist()[:4] == [2, 9, 14, 7]  # the input is never altered


def test_a_hidden_zero_is_not_protected_by_another_zero():
    out = suppress(_bands({"w": [0, 0, 12, 30]}), "n", within="wave", total="scored")
    # both zeros are small (primary); two hidden cells already, nothing more to hide
    assert out["n"].tolist() == ["<5", "<5", "12", "30"]
    out = suppress(_bands({"w": [3, 0, 12, 30]}), "n", within="wave", total="scored")
    assert out["n"].tolist() == ["<5", "<5", "12", "30"]
    out = suppress(_bands({"w": [3, 20, 12, 30]}), "n", within="wave", total="scored")
    assert out["n"].tolist() == ["<5", "20", SECONDARY, "30"]


def test_a_small_remainder_hides_the_count_that_reveals_it():
    table = pd.DataFrame({"wave": ["a", "b", "c"], "at_or_above": [14, 12, 2],
                          "scored": [31, 15, 30], "share": [14 / 31, 12 / 15, 2 / 30]})
    out = suppress(table, "at_or_above", within="wave", total="scored", withhold=["share"])
    # b: 15 - 12 = 3 below the threshold would be revealed; c: 2 is small itself
    assert out["at_or_above"].tolist() == ["14", SECONDARY, "<5"]
    assert out["share"].isna().tolist() == [False, True, True]


def test_group_rows_hide_small_group_statistics():
    table = pd.DataFrame({"group": ["a", "b"], "n": [3, 12], "mean": [40.1, 35.2],
                          "sd": [2.0, 5.5]})
    out = suppress(table, "n", min_cell=5, withhold=["mean", "sd"])
    assert out["n"].tolist() == ["<5", "12"]
    assert out["mean"].isna().tolist() == [True, False]
    assert out["sd"].isna().tolist() == [True, False]


def test_ids_and_days_are_removed():
    table = pd.DataFrame({"participant_id": ["pa_1"], "process_id": ["cp_1"], "x": [1]})
    assert disclosure.drop_ids(table).columns.tolist() == ["x"]
    months = disclosure.to_month(pd.Series(["2024-03-17", "2023-11", None]))
    assert months.tolist()[:2] == ["2024-03", "2023-11"] and pd.isna(months.iloc[2])


@pytest.mark.parametrize("bad", [0, -1, 2.5])
def test_min_cell_must_be_a_positive_whole_number(bad):
    with pytest.raises(ValueError, match="min_cell"):
        suppress(_bands({"w": [1, 2]}), "n", min_cell=bad)


counts = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=7)


@settings(max_examples=200, deadline=None)
@given(waves=st.lists(counts, min_size=1, max_size=5), min_cell=st.integers(1, 10),
       partial=st.booleans())
def test_suppression_properties(waves, min_cell, partial):
    table = _bands({f"w{i}": c for i, c in enumerate(waves)})
    if partial:  # the last band is not listed: its count is the remainder of the total
        table = table[table["band"] != table.groupby("wave")["band"].transform("max")]
        table = table[table["wave"].isin(table["wave"])].reset_index(drop=True)
    out = suppress(table, "n", min_cell=min_cell, within="wave", total="scored",
                   withhold=["percent"])
    hidden = disclosure.is_hidden(out["n"])
    shown = pd.to_numeric(out["n"].where(~hidden), errors="coerce")
    # 1. no count below min_cell is ever shown, and shown counts are the true ones
    assert (shown.dropna() >= min_cell).all()
    assert (shown.dropna() == table["n"][~hidden]).all()
    for _wave, rows in out.groupby("wave"):
        total_shown = not disclosure.is_hidden(rows["scored"]).any()
        n_hidden = disclosure.is_hidden(rows["n"]).sum()
        remainder = int(table.loc[rows.index, "scored"].iloc[0] - table.loc[rows.index, "n"].sum())
        # 2. with the total shown, a single hidden count is never the only unknown: an unlisted
        # remainder of the total must be a second one
        if total_shown and n_hidden == 1:
            assert remainder > 0
        # 3. with the total shown, the hidden cells cannot be pinned to one value below min_cell:
        # their sum is known, so at least two cells must share it
        if total_shown and n_hidden and not partial:
            hidden_sum = int(table.loc[rows.index, "n"][disclosure.is_hidden(rows["n"])].sum())
            assert n_hidden >= 2 or hidden_sum >= min_cell
        # 5. a small remainder of a shown total is never revealed by shown counts alone
        if total_shown and 0 < remainder < min_cell:
            assert n_hidden >= 1
    # 4. every percentage of a hidden count is withheld
    assert out["percent"][hidden].isna().all()


def test_repeated_index_labels_do_not_mix_groups():
    table = pd.concat([_bands({"a": [2, 9, 14]}), _bands({"b": [6, 8, 11]})])  # labels 0-2 twice
    out = suppress(table, "n", within="wave", total="scored", withhold=["percent"])
    assert out["n"].tolist() == ["<5", SECONDARY, "14", "6", "8", "11"]
    assert out.index.tolist() == [0, 1, 2, 0, 1, 2]
