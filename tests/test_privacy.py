"""The identifier guard, keys and pseudonymise.

The guard tables are hand-made: each name or value is one a person could write, labelled by what
it is (a UK phone number from Ofcom's drama ranges, a National Insurance number in HMRC's format,
postcodes in Royal Mail's format, and look-alikes that are not identifiers).
"""

from __future__ import annotations

import hashlib
import os
import re
import time

import numpy as np
import pandas as pd
import pytest
from tests.conftest import SAMPLE

import evalkit
from evalkit.cli import main
from evalkit.errors import KeyFileError
from evalkit.privacy import guard
from evalkit.privacy.guard import (
    identifier_column_reason,
    identifying_values,
)
from evalkit.privacy.keys import (
    KEY_HEADER,
    key_fingerprint,
    pseudonym,
    pseudonymise_series,
    read_key,
    write_key,
)

MARK = "Zq7Secret"

# --- column names ------------------------------------------------------------------------------

REFUSED_NAMES = [
    "name", "Name", "client_name", "FirstName", "first_name", "full name", "surname",
    "client_surname", "forename", "clientName", "username", "email", "e_mail", "E-mail",
    "email_address", "Phone", "mobile_number", "telephone", "tel", "telno", "TelNo", "mobileno",
    "mobile", "contact_number", "contact_no", "cell", "cell_phone", "homePhone", "address",
    "home_address", "addr_line1", "street", "postcode", "post_code", "pcode", "zip", "Postcode1",
    "date_of_birth", "DOB", "dateofbirth", "DateOfBirth", "d.o.b", "D.O.B.", "birth_date",
    "birthdate", "place_of_birth", "nhs_number", "nhsno", "NHSNumber", "NHS No", "ni_number",
    "NI number", "nino", "national_insurance", "crn", "CRN", "case_number", "caseref", "pnc_id",
    "chi_number", "chi", "ssn", "passport_no", "notes", "comments", "free_text", "session_notes",
    "description", "other_please_specify", "latitude", "ni", "contact",
    # Issue 23: names that were only ignored.
    "mob_no", "nat_ins_no", "bday", "pc", "house_no", "reason_text", "alias", "aka", "known_as",
    "keyworker", "victim", "IP", "geo", "prisoner_no", "custody_ref", "KnownAs", "HouseNo",
    "\uff4e\uff41\uff4d\uff45",  # "name" in full-width letters
    "n\u0430me",  # "name" with a Cyrillic a
]
ALLOWED_NAMES = [
    "participant_id", "practitioner_id", "facilitator_ids", "process_id", "session_id",
    "cohort_id", "exercise_id", "demand_id", "session_title", "exercise_title", "module",
    "module_name", "module_session", "site", "site_name", "programme_week", "chi_square", "chi2",
    "cell_count", "min_cell", "delivered_minutes", "planned_minutes", "response_date",
    "session_date", "event_date", "start_month", "wave", "status", "referral_route", "age_band",
    "exit_reason", "delivery_mode", "cancelled", "gender", "role", "experience_band",
    "supervision_frequency", "event_type", "actor", "kind", "sessions", "month", "d01", "stss17",
    "pq30", "optional_exercise", "contact_group", "cohort_name", "score_total", "attendance_rate",
    "week", "title", "filename", "group_size",
    # Harmless names close to the ones refused in issue 23.
    "pc_count", "ip_count", "geography_band", "text_length", "mobility", "known", "akathisia",
]


def test_name_tables_are_large_enough():
    assert len(REFUSED_NAMES) >= 40 and len(ALLOWED_NAMES) >= 40


@pytest.mark.parametrize("column", REFUSED_NAMES)
def test_identifier_column_names_are_refused(column):
    assert identifier_column_reason(column)


@pytest.mark.parametrize("column", ALLOWED_NAMES)
def test_harmless_column_names_pass(column):
    assert identifier_column_reason(column) is None


@pytest.mark.parametrize(("column", "reason"), [
    ("d.o.b", "a date of birth"), ("ni_number", "a national, health or case number"),
    ("telno", "a phone number"), ("pcode", "a postcode"), ("client_name", "a person's name"),
    ("notes", "free text"),
])
def test_column_reasons_say_what_was_found(column, reason):
    assert identifier_column_reason(column) == reason


# --- cell values -------------------------------------------------------------------------------

E, P, N = guard.REASON_EMAIL, guard.REASON_PHONE, guard.REASON_NHS
NI, C, D = guard.REASON_NI, guard.REASON_POSTCODE, guard.REASON_DATE
L, B, H = guard.REASON_LONG, guard.REASON_LINE_BREAK, guard.REASON_HIDDEN
A, T = guard.REASON_ADDRESS, guard.REASON_TITLED_NAME

REFUSED_VALUES = [
    ("someone@example.org", E), ("First.Last+tag@mail.example.co.uk", E),
    ("contact a.b@nhs.net today", E),
    ("07700 900123", P), ("07700900123", P), ("+44 7700 900123", P), ("+447700900123", P),
    ("0044 7700 900123", P), ("0161 496 0000", P), ("(0161) 496 0000", P), ("020 7946 0000", P),
    ("(555) 123-4567", P), ("+1 555 123 4567", P), ("call 07700 900123", P),
    ("\uff10\uff17\uff17\uff10\uff10\uff19\uff10\uff10\uff11\uff12\uff13", P),  # full-width
    ("0770\u200b0900123", P),  # a zero-width space inside
    ("9434765919", N), ("943 476 5919", N), ("943-476-5919", N), ("0000012345", N),
    ("AB123456C", NI), ("ab123456c", NI), ("AB 12 34 56 C", NI), ("AB 12 34 56", NI),
    ("JG103759A", NI),
    ("SW1A 1AA", C), ("M1 1AE", C), ("sw1a 1aa", C), ("SW1A1AA", C), ("EC1A 1BB", C),
    ("B33 8TH", C), ("lives in CR2 6XH", C),
    ("1984-03-02", D), ("02/03/1984", D), ("2/3/84", D), ("02.03.1984", D), ("2 March 1984", D),
    ("2nd March 1984", D), ("March 2, 1984", D), ("1984/03/02", D), ("born 12 Feb 1990", D),
    ("2025 (1984-03-02)", D),
    ("x" * 65, L), ("line one\nline two", B), ("a\rb", B), ("a\u2028b", B),
    # Issue 23: variants that got through.
    ("07700.900.123", P), ("07700/900123", P), ("44 7700 900123", P), ("AB-12-34-56-C", NI),
    ("AB.12.34.56.C", NI), ("943.476.5919", N), ("943/476/5919", N), ("19840302", D),
    ("02.03.84", D), ("john@ex\u00e4mple.org", E), ("m\u00fcller@example.de", E),
    ("x\x00y", H), ("nor\u200bth", H), ("\u202enorth", H), ("a\tb", H), ("a\x1b[31m", H),
    # Issue 20: a site named by a street address or after a person.
    ("12 High Street", A), ("221b Baker St", A), ("4, Mill Lane", A), ("flat 3", A),
    ("Flat 12a, Rose Court", A), ("7 Church Road north", A), ("1 the Green Gardens", A),
    ("Mrs Patel", T), ("Dr. Jones", T), ("MR SMITH", T), ("Mx Lee's group", T),
]
ALLOWED_VALUES = [
    "p0001", "s01", "c01-w01", "cp1", "d1", "sr1_healthy_sex", "123456789", "012345678",
    "12345", "2024", "2025", "2024-03", "March 2025", "2025-26", "north", "sexual_respect",
    "Learning about sex", "35-44", "55+", "<1", "10+", "-0.5", "1.2.3", "v1.2.10",
    "pa_0123456789abcdef0123", "PR000123", "pr123456", "c01-2024-W03", "x" * 64,
    "2023-0001-0002", "wave 2", "Week 12", "group A1", "12:30", "1/2", "3.14159", "1e10", "+5",
    "0.5", "100%", "SW1A", "M1", "AB12", "ab12cd", "",
    "north east", "M\u00fcnster", "20231", "2023-W01", "12.5.3", "v2.03.1", "44 weeks",
    "cohort 44-2", "session 02.03",
    "2 in a row", "3 close calls", "the 3 way split", "Step 2 review", "Part 1 the man box",
    "North Leeds", "mrs", "Drive time", "12 steps", "Dr", "Mrsomething",
]


def test_value_tables_are_large_enough():
    assert len(REFUSED_VALUES) >= 40 and len(ALLOWED_VALUES) >= 40


@pytest.mark.parametrize(("value", "reason"), REFUSED_VALUES, ids=[r[0][:30] for r in REFUSED_VALUES])
def test_identifying_values_are_found(value, reason):
    found = identifying_values(pd.Series([value]))
    assert found[reason].tolist() == [True]


@pytest.mark.parametrize("value", ALLOWED_VALUES, ids=[v[:30] for v in ALLOWED_VALUES])
def test_harmless_values_pass(value):
    found = identifying_values(pd.Series([value]))
    assert not any(mask[0] for mask in found.values()), [r for r, m in found.items() if m[0]]


def test_masks_follow_rows_and_missing_cells():
    values = pd.Series(["p1", None, "AB123456C", "p1", "AB123456C"], index=[10, 11, 12, 13, 14])
    found = identifying_values(values)
    assert found[NI].tolist() == [False, False, True, False, True]
    assert set(found) == {E, P, N, NI, C, D, L, B, H, A, T}
    assert all(len(mask) == 5 for mask in found.values())


def test_guard_is_fast_on_many_distinct_values():
    rng = np.random.default_rng(3)
    values = pd.Series([f"id{i:06d}-{rng.integers(10**9)}" for i in range(100_000)])
    values.iloc[[5, 50_000]] = ["someone@example.org", "AB123456C"]
    identifying_values(values.iloc[:10])  # imports
    started = time.perf_counter()
    found = identifying_values(values)
    elapsed = time.perf_counter() - started
    assert found[E].sum() == 1 and found[NI].sum() == 1
    assert elapsed < 1.0, elapsed


# --- keys --------------------------------------------------------------------------------------


@pytest.fixture
def key_file(tmp_path):
    return write_key(tmp_path / "keys" / "evalkit.key")


def test_keygen_makes_a_private_key_with_a_header(key_file):
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    lines = key_file.read_text().splitlines()
    assert lines[0] == KEY_HEADER == "# evalkit pseudonymisation key v1"
    assert re.fullmatch(r"[0-9a-f]{64}", lines[1]) and len(lines) == 2
    with pytest.raises(KeyFileError, match="exists"):
        write_key(key_file)


def test_keygen_is_private_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        path = write_key(tmp_path / "k.key")
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_keygen_never_follows_a_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "link.key").symlink_to(victim)
    with pytest.raises(KeyFileError, match="exists"):
        write_key(tmp_path / "link.key")
    assert victim.read_text() == "keep me"


def test_two_keys_differ(tmp_path):
    assert read_key(write_key(tmp_path / "a")) != read_key(write_key(tmp_path / "b"))


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660, 0o620])
def test_key_readable_or_writable_by_others_is_refused(key_file, mode):
    os.chmod(key_file, mode)
    with pytest.raises(KeyFileError, match="chmod 600"):
        read_key(key_file)


def test_key_link_to_a_world_readable_file_is_refused(key_file, tmp_path):
    os.chmod(key_file, 0o644)
    link = tmp_path / "elsewhere.key"
    link.symlink_to(key_file)
    with pytest.raises(KeyFileError, match="other users"):
        read_key(link)


def _private(path, text):
    path.write_text(text)
    os.chmod(path, 0o600)
    return path


@pytest.mark.parametrize("content", [
    "a" * 64 + "\n",  # no header (a key from the first version, or random hex)
    f"{KEY_HEADER}\n",  # header only
    f"{KEY_HEADER}\n{'0f' * 31}\n",  # 31 bytes
    f"{KEY_HEADER}\n{'0f1e2d3c4b5a6978' * 4}aa\n",  # 33 bytes
    f"{KEY_HEADER}\n{'g' * 64}\n",  # not hexadecimal
    f"{KEY_HEADER}\n{'ab' * 32}\n",  # not random
    f"{KEY_HEADER}\n{'0123456789abcdef' * 4}\n",  # not random (8 distinct bytes)
    # random-looking but fixed keys: every pytest-xdist worker must collect the same tests
    f"# some other header\n{hashlib.sha256(b'one').hexdigest()}\n",
    f"{KEY_HEADER}\n{hashlib.sha256(b'one').hexdigest()}\n{hashlib.sha256(b'two').hexdigest()}\n",
    "correct horse battery staple " * 3,
    "",
])
def test_anything_but_a_keygen_key_is_refused(tmp_path, content):
    path = _private(tmp_path / "k.key", content)
    with pytest.raises(KeyFileError, match="not an evalkit key|not random") as info:
        read_key(path)
    for line in content.splitlines():
        if line.strip() and line != KEY_HEADER:
            assert line[:16] not in str(info.value)


def test_binary_and_huge_key_files_are_refused(tmp_path):
    binary = tmp_path / "bin.key"
    binary.write_bytes(os.urandom(32))
    os.chmod(binary, 0o600)
    with pytest.raises(KeyFileError, match="not an evalkit key"):
        read_key(binary)
    huge = _private(tmp_path / "huge.key", f"{KEY_HEADER}\n" + "0" * 100_000)
    with pytest.raises(KeyFileError, match="not an evalkit key"):
        read_key(huge)


def test_key_with_windows_line_ends_and_upper_case_is_accepted(tmp_path):
    hexkey = os.urandom(32).hex()
    path = _private(tmp_path / "k.key", f"{KEY_HEADER}\r\n{hexkey.upper()}\r\n\r\n")
    assert read_key(path) == hexkey.encode()


def test_missing_key_and_folder_key_are_refused(tmp_path):
    with pytest.raises(KeyFileError, match="not found"):
        read_key(tmp_path / "absent.key")
    folder = tmp_path / "dir.key"
    folder.mkdir(mode=0o700)
    with pytest.raises(KeyFileError, match="not a regular file|cannot be read"):
        read_key(folder)


def test_key_inside_a_forbidden_folder_is_refused(tmp_path):
    data = tmp_path / "data"
    key = write_key(data / "evalkit.key")
    with pytest.raises(KeyFileError, match="inside"):
        read_key(key, forbidden=[data])
    # A link inside the data folder to a key outside is refused too, and so is a link outside
    # to a key inside.
    outside = write_key(tmp_path / "outside.key")
    (data / "link.key").symlink_to(outside)
    with pytest.raises(KeyFileError, match="inside"):
        read_key(data / "link.key", forbidden=[data])
    (tmp_path / "link2.key").symlink_to(key)
    with pytest.raises(KeyFileError, match="inside"):
        read_key(tmp_path / "link2.key", forbidden=[data])


def test_key_fingerprint_is_the_documented_hash(key_file):
    key = read_key(key_file)
    expected = hashlib.sha256(b"evalkit key fingerprint v1\x00" + key).hexdigest()[:12]
    assert key_fingerprint(key) == expected
    assert re.fullmatch(r"[0-9a-f]{12}", expected)
    assert expected not in key.decode()  # not a piece of the key


def test_pseudonyms_are_keyed_and_separated_by_kind():
    key1, key2 = b"a" * 32, b"b" * 32
    assert pseudonym(key1, "participant", "X1") == pseudonym(key1, "participant", "X1")
    assert pseudonym(key1, "participant", "X1") != pseudonym(key2, "participant", "X1")
    assert pseudonym(key1, "participant", "X1")[3:] != pseudonym(key1, "practitioner", "X1")[3:]


def test_pseudonym_is_hmac_sha256_of_kind_and_id():
    import hmac

    expected = hmac.new(b"k" * 64, b"participant\x1fA17", "sha256").hexdigest()[:20]
    assert pseudonym(b"k" * 64, "participant", "A17") == "pa_" + expected


def test_blank_ids_stay_blank():
    out = pseudonymise_series(pd.Series(["A1", "", "  ", None, " A1 "]), b"k" * 32, "participant")
    assert out.tolist()[1:4] == ["", "", ""]
    assert out[0] == out[4] == pseudonym(b"k" * 32, "participant", "A1")
    lists = pseudonymise_series(pd.Series(["s1; s2", "", "s1;;"]), b"k" * 32, "practitioner",
                                is_list=True)
    assert lists[1] == "" and lists[2] == pseudonym(b"k" * 32, "practitioner", "s1")
    assert lists[0].split(";") == [pseudonym(b"k" * 32, "practitioner", s) for s in ("s1", "s2")]


# --- pseudonymise ------------------------------------------------------------------------------


def _run(*args):
    return main(["pseudonymise", *map(str, args)])


def test_pseudonymise_refuses_without_a_key(tmp_path, capsys):
    status = _run(SAMPLE, tmp_path / "out", "--key-file", tmp_path / "missing.key")
    assert status == 2
    assert "key file not found" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_pseudonymise_is_consistent_and_loses_the_originals(tmp_path, key_file, capsys):
    out = tmp_path / "pseudo"
    assert _run(SAMPLE, out, "--key-file", key_file) == 0
    original = evalkit.load(SAMPLE)
    converted = evalkit.load(out)  # every cross-file id still matches
    assert len(converted.attendance) == len(original.attendance)
    everything = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    cells = set(re.split(r"[,;\n]", everything))
    originals = (set(original.participants["participant_id"])
                 | set(original.practitioners["practitioner_id"])
                 | set(original.accountability_events["process_id"]))
    assert not cells & originals
    assert read_key(key_file).decode() not in everything
    pd.testing.assert_series_equal(original.attendance["status"], converted.attendance["status"])
    # The fingerprint is recorded and printed.
    fingerprint = key_fingerprint(read_key(key_file))
    assert f"key_fingerprint = {fingerprint}" in (out / "evalkit-pseudonymised.txt").read_text()
    assert fingerprint in capsys.readouterr().out
    # Same key, same pseudonyms.
    again = tmp_path / "again"
    assert _run(SAMPLE, again, "--key-file", key_file) == 0
    assert (again / "attendance.csv").read_bytes() == (out / "attendance.csv").read_bytes()


def _write(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


ATTENDANCE = "participant_id,session_id,status\nA17,s1,attended\nB22,s1,late\n"


@pytest.mark.parametrize("header", [
    "ParticipantID", "participant-id", "Participant ID", "participantid", "participant_id_",
    "p\u0430rticipant_id",  # Cyrillic a
    "\uff50articipant_id",  # full-width p
])
def test_variant_id_headers_are_refused(tmp_path, key_file, capsys, header):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv", f"{header},session_id,status\nZq7Secret,s1,attended\n")
    status = _run(raw, tmp_path / "out", "--key-file", key_file)
    err = capsys.readouterr().err
    assert status == 2
    assert "attendance.csv, column 'participant_id'" in err and "missing" in err
    assert MARK not in err and not (tmp_path / "out").exists()


def test_variant_header_gets_a_rename_hint(tmp_path, key_file, capsys):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv", f"ParticipantID,session_id,status\n{MARK},s1,attended\n")
    _run(raw, tmp_path / "out", "--key-file", key_file)
    err = capsys.readouterr().err
    assert "column A ('ParticipantID')" in err and "rename its header to exactly" in err


def test_headers_are_matched_ignoring_case_and_spaces(tmp_path, key_file):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv", " Participant_ID ,SESSION_ID,Status\nA17,s1,attended\n")
    assert _run(raw, tmp_path / "out", "--key-file", key_file) == 0
    out = pd.read_csv(tmp_path / "out" / "attendance.csv", dtype=str)
    assert list(out.columns) == ["participant_id", "session_id", "status"]
    assert out["participant_id"][0].startswith("pa_")


@pytest.mark.parametrize("body", [
    f"{MARK},s1,attended\nB22,s1,late\n",
    f"Jo {MARK},07700 900123,AB123456C\n",
    "participant,session,state\nA17,s1,attended\n",  # words, but not the columns
])
def test_headerless_files_are_refused_without_showing_cells(tmp_path, key_file, capsys, body):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv", body)
    status = _run(raw, tmp_path / "out", "--key-file", key_file)
    err = capsys.readouterr().err
    assert status == 2 and "attendance.csv: the first row holds none of this file's column names, so the file has no header row" in err
    for cell in body.splitlines()[0].split(","):
        assert cell not in err or cell in ("participant", "session")
    assert MARK not in err and "07700" not in err


def test_repeated_columns_are_refused(tmp_path, key_file, capsys):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv",
           "participant_id,session_id,status,Participant_ID\nA17,s1,attended,B22\n")
    assert _run(raw, tmp_path / "out", "--key-file", key_file) == 2
    assert "appears more than once (columns A, D)" in capsys.readouterr().err
    _write(raw, "attendance.csv",
           "participant_id,session_id,status,participant_id\nA17,s1,attended,B22\n")
    assert _run(raw, tmp_path / "out", "--key-file", key_file) == 2


def test_unknown_columns_are_not_copied(tmp_path, key_file, capsys):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv",
           "participant_id,session_id,status,dateofbirth,case_ref,surname,score\n"
           f"A17,s1,attended,1984-03-02,{MARK},{MARK},3\n")
    assert _run(raw, tmp_path / "out", "--key-file", key_file) == 0
    written = (tmp_path / "out" / "attendance.csv").read_text()
    assert MARK not in written and "1984" not in written and "score" not in written
    assert written.splitlines()[0] == "participant_id,session_id,status"
    err = capsys.readouterr().err
    assert "column D ('dateofbirth') not copied (looks like a date of birth)" in err
    assert "column G not copied (not one of this file's columns)" in err
    assert "score" not in err and MARK not in err


def test_keep_column_copies_a_harmless_column(tmp_path, key_file):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv", "participant_id,session_id,status,Score\nA17,s1,attended,3\n")
    assert _run(raw, tmp_path / "out", "--key-file", key_file, "--keep-column", "score") == 0
    out = pd.read_csv(tmp_path / "out" / "attendance.csv", dtype=str)
    assert out["score"].tolist() == ["3"]


@pytest.mark.parametrize(("column", "value", "expect"), [
    ("surname", "Smith", "its name looks like a person's name"),
    ("case_ref", "C123", "its name looks like"),
    ("contact", "x", "its name looks like"),
    ("score", "07700 900123", "looks like a phone number"),
    ("score", "AB123456C", "looks like a National Insurance number"),
    ("score", "1984-03-02", "looks like a full date"),
    ("score", "someone@example.org", "looks like an email address"),
    # Issue 23: copied by --keep-column before.
    ("score", "AB-12-34-56-C", "looks like a National Insurance number"),
    ("score", "07700.900.123", "looks like a phone number"),
    ("score", "19840302", "looks like a full date"),
])
def test_keep_column_still_refuses_identifiers(tmp_path, key_file, capsys, column, value, expect):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv",
           f"participant_id,session_id,status,{column}\nA17,s1,attended,{value}\n")
    status = _run(raw, tmp_path / "out", "--key-file", key_file, "--keep-column", column)
    err = capsys.readouterr().err
    assert status == 2 and expect in err and value not in err
    assert not (tmp_path / "out").exists()


def test_keep_column_must_name_a_column(tmp_path, key_file, capsys):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv", ATTENDANCE)
    assert _run(raw, tmp_path / "out", "--key-file", key_file, "--keep-column", "scroe") == 2
    assert "--keep-column names no extra column of the input: scroe" in capsys.readouterr().err


def test_identifiers_in_copied_columns_are_refused(tmp_path, key_file, capsys):
    raw = tmp_path / "raw"
    _write(raw, "participants.csv",
           "participant_id,site,cohort_id,referral_route,age_band,start_month,exit_reason\n"
           "A17,north,c1,self,35-44,2024-01,ongoing\n"
           "A18,SW1A 1AA,c1,self,35-44,2024-01,ongoing\n")
    assert _run(raw, tmp_path / "out", "--key-file", key_file) == 2
    err = capsys.readouterr().err
    assert "participants.csv, column 'site', row 3" in err and "postcode" in err
    assert "SW1A" not in err


@pytest.mark.parametrize(("column", "cell"), [
    ("exit_reason", "Jane Doe"),           # a name where a label from the list belongs
    ("start_month", "31/02/2023 Smith"),   # a name typed into a date
    ("referral_route", "told me his wife Mary"),
])
def test_free_text_in_typed_columns_is_refused_not_copied(tmp_path, key_file, capsys, column,
                                                          cell):
    header = "participant_id,site,cohort_id,referral_route,age_band,start_month,exit_reason"
    good = dict(zip(header.split(","), "A17,north,c1,self,35-44,2024-01,ongoing".split(","),
                    strict=True))
    bad = {**good, "participant_id": "A18", column: cell}
    raw = tmp_path / "raw"
    _write(raw, "participants.csv", "\n".join([header, ",".join(good.values()),
                                                ",".join(bad.values())]) + "\n")
    assert _run(raw, tmp_path / "out", "--key-file", key_file) == 2
    err = capsys.readouterr().err
    assert f"participants.csv, column '{column}', row 3" in err
    assert not any(word in err for word in ("Jane", "Smith", "Mary"))
    assert not (tmp_path / "out").exists()


def test_typed_cells_of_the_sample_pass_as_they_are(tmp_path, key_file):
    # The check refuses free text, not the sample's own labels, dates and numbers.
    assert _run(SAMPLE, tmp_path / "out", "--key-file", key_file) == 0


def test_session_ids_are_recoded_with_the_cohort_codes_they_hold(tmp_path, key_file):
    """A session id is often the cohort code and a week (c01-w01): copied as it was, it kept
    the very code the cohort id lost. It is recoded like the cohort id, the same in every file,
    so the register and the delivery records still name their sessions."""
    assert _run(SAMPLE, tmp_path / "out", "--key-file", key_file) == 0
    out = tmp_path / "out"
    sessions = pd.read_csv(out / "sessions.csv", dtype=str)["session_id"]
    assert sessions.str.fullmatch(r"se_[0-9a-f]{20}").all() and sessions.is_unique
    for name in ("attendance", "delivery"):
        named = pd.read_csv(out / f"{name}.csv", dtype=str)["session_id"]
        assert named.str.fullmatch(r"se_[0-9a-f]{20}").all() and set(named) <= set(sessions)
    evalkit.load(out)  # every reference still holds


def test_ids_that_look_like_numbers_are_pseudonymised_not_refused(tmp_path, key_file):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv",
           "participant_id,session_id,status\n07700900123,s1,attended\n9434765919,s1,late\n")
    assert _run(raw, tmp_path / "out", "--key-file", key_file) == 0
    written = (tmp_path / "out" / "attendance.csv").read_text()
    assert "07700900123" not in written and "9434765919" not in written


def test_blank_ids_stay_blank_in_the_copy(tmp_path, key_file):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv", "participant_id,session_id,status\n,s1,attended\n A17 ,s1,late\n")
    assert _run(raw, tmp_path / "out", "--key-file", key_file) == 0
    out = pd.read_csv(tmp_path / "out" / "attendance.csv", dtype=str, keep_default_na=False)
    assert out["participant_id"][0] == ""
    assert out["participant_id"][1] == pseudonym(read_key(key_file), "participant", "A17")


def test_copied_cells_cannot_run_as_formulas(tmp_path, key_file):
    raw = tmp_path / "raw"
    _write(raw, "curriculum.csv",
           "module,module_session,session_title,exercise_id,exercise_title,planned_minutes,"
           "optional_exercise\nm1,1,=HYPERLINK(\"http://x\"),e1,@SUM(1),20,false\n")
    assert _run(raw, tmp_path / "out", "--key-file", key_file) == 0
    out = pd.read_csv(tmp_path / "out" / "curriculum.csv", dtype=str)
    assert out["session_title"][0] == "'=HYPERLINK(\"http://x\")"
    assert out["exercise_title"][0] == "'@SUM(1)"


@pytest.mark.parametrize("where", ["inside", "same", "parent"])
def test_output_overlapping_the_input_is_refused(tmp_path, key_file, capsys, where):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv", ATTENDANCE)
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    out = {"inside": raw / "out", "same": raw, "parent": tmp_path}[where]
    assert _run(raw, out, "--key-file", key_file) == 2
    assert "refusing to write the pseudonymised copy" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == before


def test_key_inside_the_input_or_output_is_refused(tmp_path, capsys):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv", ATTENDANCE)
    key = write_key(raw / "evalkit.key")
    assert _run(raw, tmp_path / "out", "--key-file", key) == 2
    assert "lies inside" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    # A key kept in an earlier output folder would be shared with the data.
    outside = write_key(tmp_path / "keys" / "k.key")
    out = tmp_path / "out"
    raw.joinpath("evalkit.key").unlink()
    assert _run(raw, out, "--key-file", outside) == 0
    moved = out / "k.key"
    moved.write_bytes(outside.read_bytes())
    os.chmod(moved, 0o600)
    assert _run(raw, out, "--key-file", moved) == 2
    # Refused before the key is read: the output now holds a file its marker does not list.
    err = capsys.readouterr().err
    assert "did not write there" in err and "k.key" in err


def test_a_different_key_is_noticed(tmp_path, key_file, capsys):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv", ATTENDANCE)
    out = tmp_path / "out"
    assert _run(raw, out, "--key-file", key_file) == 0
    first = (out / "attendance.csv").read_bytes()
    # The same key may refresh the copy.
    assert _run(raw, out, "--key-file", key_file) == 0
    other = write_key(tmp_path / "keys" / "other.key")
    capsys.readouterr()
    assert _run(raw, out, "--key-file", other) == 2
    err = capsys.readouterr().err
    assert "made with another key" in err and "--new-key" in err
    assert key_fingerprint(read_key(key_file)) in err
    assert (out / "attendance.csv").read_bytes() == first
    assert _run(raw, out, "--key-file", other, "--new-key") == 0
    assert (out / "attendance.csv").read_bytes() != first
    assert key_fingerprint(read_key(other)) in (out / "evalkit-pseudonymised.txt").read_text()


def test_an_output_used_as_input_is_checked(tmp_path, key_file, capsys):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv", ATTENDANCE)
    first = tmp_path / "first"
    assert _run(raw, first, "--key-file", key_file) == 0
    assert _run(first, tmp_path / "second", "--key-file", key_file) == 2
    assert "already a pseudonymised copy made with this key" in capsys.readouterr().err
    other = write_key(tmp_path / "keys" / "other.key")
    assert _run(first, tmp_path / "second", "--key-file", other) == 2
    assert "made with another key" in capsys.readouterr().err
    assert _run(first, tmp_path / "second", "--key-file", other, "--new-key") == 0


def test_existing_folder_without_the_record_is_not_replaced(tmp_path, key_file, capsys):
    raw = tmp_path / "raw"
    _write(raw, "attendance.csv", ATTENDANCE)
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    assert _run(raw, out, "--key-file", key_file) == 2
    assert "choose an empty or new folder" in capsys.readouterr().err
    assert (out / "thesis.docx").read_text() == "precious"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _run(raw, empty, "--key-file", key_file) == 0


def test_pseudonymise_reads_a_workbook(tmp_path, key_file):
    raw = tmp_path / "raw"
    raw.mkdir()
    with pd.ExcelWriter(raw / "data.xlsx") as writer:
        pd.DataFrame({"Participant_ID": ["A17"], "session_id": ["s1"], "status": ["late"]}).to_excel(
            writer, sheet_name="attendance", index=False)
    assert _run(raw, tmp_path / "out", "--key-file", key_file) == 0
    out = pd.read_csv(tmp_path / "out" / "attendance.csv", dtype=str)
    assert out["participant_id"][0] == pseudonym(read_key(key_file), "participant", "A17")


def test_pseudonymise_keeps_the_programmes_own_questionnaires(tmp_path, key_file):
    """The answers of an own instrument are pseudonymised like any file and its spec copied, so
    the copy gives the same outcome analysis; ids still link to participants.csv."""
    import shutil

    from evalkit.privacy.pseudonymise import pseudonymise_folder

    source = tmp_path / "real"
    shutil.copytree("data/sample", source)
    out = tmp_path / "copy"
    pseudonymise_folder(source, out, key_file=key_file)
    from evalkit.scales.custom import find_instruments

    assert find_instruments(out)[0] == find_instruments(source)[0]
    answers = pd.read_csv(out / "partner_safety.csv", dtype=str)
    original = pd.read_csv(source / "partner_safety.csv", dtype=str)
    assert len(answers) == len(original)
    assert not set(answers["participant_id"]) & set(original["participant_id"])
    people = set(pd.read_csv(out / "participants.csv", dtype=str)["participant_id"])
    assert set(answers["participant_id"]) <= people
    assert answers.drop(columns="participant_id").equals(
        original.drop(columns="participant_id"))
    dataset = evalkit.load(out)
    assert list(dataset.instruments) == ["partner_safety"]


# --- issue 23 -------------------------------------------------------------------------------------


def test_cohort_ids_are_recoded_consistently(tmp_path, key_file):
    """Cohort ids are codes a programme makes up (a name, a start date): they are recoded."""
    out = tmp_path / "copy"
    assert _run(SAMPLE, out, "--key-file", key_file) == 0
    original = evalkit.load(SAMPLE)
    copy = evalkit.load(out)
    assert not set(copy.participants["cohort_id"]) & set(original.participants["cohort_id"])
    assert set(copy.participants["cohort_id"]) <= set(copy.sessions["cohort_id"])
    key = read_key(key_file)
    assert copy.sessions["cohort_id"].iloc[0] == pseudonym(key, "cohort",
                                                           original.sessions["cohort_id"].iloc[0])
    # Grouping by cohort gives the same group sizes.
    assert sorted(copy.participants["cohort_id"].value_counts()) == sorted(
        original.participants["cohort_id"].value_counts())


@pytest.mark.parametrize("cohort", ["JaneDoe-2023-01-09", "SMITH_J_1984-03-02"])
def test_cohort_ids_with_a_date_are_refused(tmp_path, key_file, capsys, cohort):
    raw = tmp_path / "raw"
    _write(raw, "participants.csv", "participant_id,site,cohort_id,referral_route,age_band,"
           f"start_month,exit_reason\nA17,north,{cohort},self,35-44,2023-01,completed\n")
    assert _run(raw, tmp_path / "out", "--key-file", key_file) == 2
    err = capsys.readouterr().err
    assert "participants.csv, column 'cohort_id', row 2" in err and "full date" in err
    assert cohort not in err and not (tmp_path / "out").exists()


def test_instrument_spec_is_written_from_what_was_parsed(tmp_path, key_file):
    """A comment in a spec (here a name and a phone number) never reaches the copy."""
    import shutil

    source = tmp_path / "real"
    shutil.copytree("data/sample", source)
    spec = source / "instruments" / "partner_safety.toml"
    spec.write_text(f"# ask {MARK} Smith on 07700 900123\n" + spec.read_text()
                    + f"\n# {MARK}\n")
    out = tmp_path / "copy"
    assert _run(source, out, "--key-file", key_file) == 0
    written = (out / "instruments" / "partner_safety.toml").read_text()
    assert MARK not in written and "07700" not in written and "#" not in written
    assert evalkit.load(out).instruments == evalkit.load(source).instruments


def test_identifiers_in_a_spec_title_are_refused(tmp_path, key_file, capsys):
    import shutil

    source = tmp_path / "real"
    shutil.copytree("data/sample", source)
    spec = source / "instruments" / "partner_safety.toml"
    spec.write_text(spec.read_text().replace('title = "Partner-reported safety"',
                                             'title = "Safety (ask 07700 900123)"'))
    assert _run(source, tmp_path / "out", "--key-file", key_file) == 2
    err = capsys.readouterr().err
    assert "instruments/partner_safety.toml" in err and "phone number" in err
    assert "900123" not in err
