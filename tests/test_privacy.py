from __future__ import annotations

import os
import re

import pandas as pd
import pytest
from tests.conftest import SAMPLE

import evalkit
from evalkit.cli import main
from evalkit.privacy.guard import identifier_column_reason, identifying_value_mask
from evalkit.privacy.keys import pseudonym, write_key


@pytest.mark.parametrize("column", [
    "name", "client_name", "FirstName", "surname", "email", "e_mail", "Phone", "mobile_number",
    "address", "home_address", "postcode", "post_code", "date_of_birth", "DOB", "nhs_number",
    "ni_number_national_insurance", "notes", "comments", "free_text",
])
def test_identifier_columns_are_recognised(column):
    assert identifier_column_reason(column)


@pytest.mark.parametrize("column", [
    "participant_id", "session_title", "exercise_title", "module", "site", "cohort_id",
    "delivered_minutes", "response_date", "wave", "status",
])
def test_contract_columns_are_not_identifiers(column):
    assert identifier_column_reason(column) is None


def test_email_and_phone_values():
    values = pd.Series(["p0001", "a.b@example.org", "+44 7700 900123", "07700900123",
                        "c01-w03", "2024-03-01", "s01;s02", "12345"])
    email, phone = identifying_value_mask(values)
    assert email.tolist() == [False, True, False, False, False, False, False, False]
    assert phone.tolist() == [False, False, True, True, False, False, False, False]


def test_pseudonyms_are_keyed_and_separated_by_kind():
    key1, key2 = b"a" * 32, b"b" * 32
    assert pseudonym(key1, "participant", "X1") == pseudonym(key1, "participant", "X1")
    assert pseudonym(key1, "participant", "X1") != pseudonym(key2, "participant", "X1")
    assert pseudonym(key1, "participant", "X1")[3:] != pseudonym(key1, "practitioner", "X1")[3:]


@pytest.fixture
def key_file(tmp_path):
    return write_key(tmp_path / "keys" / "evalkit.key")


def test_keygen_makes_a_private_key(key_file):
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    assert len(key_file.read_text().strip()) == 64
    with pytest.raises(evalkit.EvalkitError, match="exists"):
        write_key(key_file)


def test_pseudonymise_refuses_without_a_key(tmp_path, capsys):
    status = main(["pseudonymise", str(SAMPLE), str(tmp_path / "out"),
                   "--key-file", str(tmp_path / "missing.key")])
    assert status == 2
    assert "key file not found" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_pseudonymise_is_consistent_and_loses_the_originals(tmp_path, key_file):
    out = tmp_path / "pseudo"
    assert main(["pseudonymise", str(SAMPLE), str(out), "--key-file", str(key_file)]) == 0
    original = evalkit.load(SAMPLE)
    converted = evalkit.load(out)  # every cross-file id still matches
    assert len(converted.attendance) == len(original.attendance)
    everything = "".join(p.read_text() for p in out.iterdir())
    cells = set(re.split(r"[,;\n]", everything))
    originals = (set(original.participants["participant_id"])
                 | set(original.practitioners["practitioner_id"])
                 | set(original.accountability_events["process_id"]))
    assert not cells & originals
    assert key_file.read_text().strip() not in everything
    # Non-person columns are untouched.
    pd.testing.assert_series_equal(original.attendance["status"], converted.attendance["status"])
    # Same key, same pseudonyms; the input folder is unchanged.
    again = tmp_path / "again"
    main(["pseudonymise", str(SAMPLE), str(again), "--key-file", str(key_file)])
    assert (again / "attendance.csv").read_bytes() == (out / "attendance.csv").read_bytes()


def test_pseudonymise_refuses_identifier_columns(tmp_path, key_file, sample_copy, capsys):
    path = sample_copy / "participants.csv"
    frame = pd.read_csv(path, dtype=str)
    frame["surname"] = "Zq7Secret"
    frame.to_csv(path, index=False)
    status = main(["pseudonymise", str(sample_copy), str(tmp_path / "o"), "--key-file",
                   str(key_file)])
    err = capsys.readouterr().err
    assert status == 2 and "surname" in err and "Zq7Secret" not in err
    assert not (tmp_path / "o").exists()
