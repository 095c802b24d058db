"""The ``evalkit`` command.

Every failure a user can cause ends in one clear message on stderr and a non-zero exit status,
never a traceback:

- 1: ``validate`` found problems in the data (the list is printed);
- 2: an option, a folder, a key or the data cannot be used (:class:`~evalkit.errors.EvalkitError`;
  argparse also exits with 2 for a malformed command line);
- 3: an unexpected internal error. Its text is not printed, because it could quote a value from
  the data; set ``EVALKIT_DEBUG=1`` to see the full traceback;
- 130 after Ctrl-C and 143 after SIGTERM (a report or copy being built is removed).

Options are checked before any work starts.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from . import __version__
from .errors import EvalkitError, UsageError, printable

EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
MIN_CELL_FLOOR = 3
TITLE_MAX_LENGTH = 120
_PERIOD_END = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")


def _check_min_cell(value: int) -> None:
    if value < MIN_CELL_FLOOR:
        raise UsageError(
            f"--min-cell must be at least {MIN_CELL_FLOOR}: smaller counts of people can identify "
            "someone, for every audience (the default is 5)")






def _check_period(period: str | None) -> None:
    from .publish.page import parse_period  # the one reading of --period

    parse_period(period)


def check_title(title: str | None) -> None:
    """Check ``--title``: one line of at most 120 visible characters.

    Parameters
    ----------
    title
        The title given, or None when the option was not used.

    Raises
    ------
    UsageError
        When the title is blank, has more than one line or is too long.

    Examples
    --------
    >>> check_title("Programme evaluation 2025")
    >>> check_title(" ")
    Traceback (most recent call last):
    ...
    evalkit.errors.UsageError: --title is empty
    """
    if title is None:
        return
    if not title.strip():
        raise UsageError("--title is empty")
    if any(ch in title for ch in "\r\n\x0b\x0c\x85\u2028\u2029"):
        raise UsageError("--title must be one line")
    if len(title) > TITLE_MAX_LENGTH:
        raise UsageError(f"--title is longer than {TITLE_MAX_LENGTH} characters")


def _cmd_synth(args) -> int:
    from .data import synth

    paths = synth.write(args.out, seed=args.seed, participants=args.participants,
                        practitioners=args.practitioners, instruments=args.instruments)
    print(f"wrote {len(paths)} files of synthetic data into {args.out}")
    return 0


def _cmd_validate(args) -> int:
    from .data.quality import quality_report
    from .publish.page import parse_period  # the one reading of --period

    report = quality_report(args.data_dir, parse_period(args.period))
    print(report.text())
    return EXIT_PROBLEMS if report.errors else 0


def _cmd_keygen(args) -> int:
    from .io.outfolder import checkout_root
    from .privacy.keys import write_key

    checkout = checkout_root()
    path = write_key(args.out, forbidden=[checkout] if checkout else [])
    print(f"wrote a new key to {path} (readable by you only). Keep it outside the project and "
          "every data folder, back it up safely and never commit it: the same key gives the same "
          "pseudonyms, and anyone with the key and a list of real ids can reverse them.")
    return 0


def _cmd_pseudonymise(args) -> int:
    from .privacy.pseudonymise import pseudonymise_folder

    summary = pseudonymise_folder(args.in_dir, args.out_dir, args.key_file,
                                  keep_columns=args.keep_column, new_key=args.new_key)
    for line in summary.ignored_files + summary.not_copied:
        print(f"note: {line}", file=sys.stderr)
    print(f"wrote {len(summary.written)} pseudonymised files into {args.out_dir} "
          f"(key fingerprint {summary.fingerprint})")
    return 0


def _cmd_template(args) -> int:
    from .data.template import write_template

    path = write_template(args.out)
    print(f"wrote an empty data-entry workbook to {path}: one sheet per data file, with "
          "drop-down lists and checks, and a read-me sheet. Fill it in, put it alone in a "
          "folder and run: evalkit validate FOLDER")
    return 0


def _cmd_report(args) -> int:
    from .publish.report import render_report

    folder = render_report(args.data_dir, out_dir=args.out, audience=args.audience,
                           min_cell=args.min_cell, period=args.period, title=args.title,
                           pdf=args.pdf, ledger=args.ledger)
    if args.pdf:
        print(f"PDF written to {printable(Path(folder) / 'report.pdf')}", file=sys.stderr)
    return 0


def _cmd_export(args) -> int:
    from .publish.exports import export_folder

    out = export_folder(args.data_dir, args.out, audience=args.audience, period=args.period)
    print(f"scored questionnaires written to {printable(Path(out))} (CSV, Parquet, SPSS .sav, "
          "Stata .dta and codebook.csv)", file=sys.stderr)
    return 0


_LEFT_AS_IT_WAS = {"report": "; the output folder was left as it was",
                   "pseudonymise": "; the output folder was left as it was",
                   "export": "; the output folder was left as it was"}

_CHECKS = {
    "report": lambda args: (_check_min_cell(args.min_cell), _check_period(args.period),
                            check_title(args.title)),
    "export": lambda args: (_check_period(args.period), _check_export_audience(args.audience)),
    "validate": lambda args: _check_period(args.period),
}


def _check_export_audience(audience: str) -> None:
    from .publish.exports import refuse_funder  # the one rule on who may have exports

    refuse_funder(audience)


_PSEUDONYMISE_HELP = """\
Copy IN_DIR to OUT_DIR with person ids (participant_id, practitioner_id, facilitator_ids,
process_id) replaced by keyed pseudonyms. Nothing is written unless every check passes:
  - every file starts with its header row; headers are matched after trimming spaces and
    ignoring case, and must otherwise be exact (ParticipantID or participant-id is refused);
  - every required column is present, and none appears twice;
  - columns that are not part of a file's contract are not copied, unless --keep-column names
    them and their name and values pass the identifier guard;
  - columns copied as they are hold no email addresses, phone, NHS or NI numbers, postcodes,
    dates in labels or cohort ids, free text or hidden characters;
  - cohort ids are replaced by keyed codes too (co_...): they are often made from a name or a
    start date, and are shown to funders as group labels;
  - instrument specs are written again from what was read, so their comments are not copied;
  - blank ids stay blank.
OUT_DIR may not be, contain or lie inside IN_DIR or the evalkit checkout. An existing OUT_DIR is
replaced only while it holds exactly what evalkit wrote there (its evalkit-pseudonymised.txt lists
every file with its size and hash): any other file, or a file changed since, and nothing is
written. The key must lie outside all of them.
OUT_DIR records the key's fingerprint (evalkit-pseudonymised.txt): a later run with another key
into OUT_DIR, or on an IN_DIR that is itself an output made with another key, is refused unless
--new-key is given.
"""


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``evalkit``: its subcommands and their options.

    Returns
    -------
    argparse.ArgumentParser
        The parser; each subcommand sets ``func``, the function that runs it.

    Examples
    --------
    >>> args = build_parser().parse_args(["report", "data/sample", "--min-cell", "10"])
    >>> args.command, args.min_cell, args.audience
    ('report', 10, 'funder')
    """
    from .analyses.tables import AUDIENCES

    parser = argparse.ArgumentParser(
        prog="evalkit",
        description="Evaluate perpetrator programmes from anonymised data.",
        epilog="Exit status: 0 done, 1 validate found problems, 2 unusable option, folder, key "
               "or data, 3 internal error (EVALKIT_DEBUG=1 shows details).",
    )
    parser.add_argument("--version", action="version", version=f"evalkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("synth", help="write a synthetic data folder",
                       description="Write a folder of invented data with every file evalkit "
                                   "reads, to try the workbook and the report without real "
                                   "data. Nothing in it describes a real person.")
    p.add_argument("--out", required=True, type=Path, help="folder to write into")
    p.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    p.add_argument("--participants", type=int, default=130, help="participants (default 130)")
    p.add_argument("--practitioners", type=int, default=36, help="practitioners (default 36)")
    p.add_argument("--no-instruments", dest="instruments", action="store_false",
                   help="leave out the instruments folder and the answers of the sample's own "
                        "partner-reported instrument")
    p.set_defaults(func=_cmd_synth)

    p = sub.add_parser("validate", help="check a data folder and summarise its quality",
                       description="Check every file of a data folder against the data "
                                   "dictionary and the identifier guard, and summarise what it "
                                   "holds. Files are only read. Exit status 1 when problems "
                                   "are found.")
    p.add_argument("data_dir", type=Path,
                   help="data folder to check: CSV files, or one .xlsx workbook with a sheet "
                        "per file")
    p.add_argument("--period", default=None, metavar="FROM:TO",
                   help="also describe the rows in these months, both ends included, as "
                        "'evalkit report --period' would use them, e.g. 2024-01:2024-12")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("keygen", help="make a random key for pseudonymise",
                       description="Write a new random key (mode 0600, never overwriting a file).")
    p.add_argument("--out", required=True, type=Path,
                   help="key file to create, outside the project and every data folder")
    p.set_defaults(func=_cmd_keygen)

    p = sub.add_parser("pseudonymise", help="replace person ids with keyed pseudonyms",
                       description=_PSEUDONYMISE_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("in_dir", type=Path, help="data folder with real ids (read, never changed)")
    p.add_argument("out_dir", type=Path,
                   help="new or empty folder, or an earlier output of this command, replaced "
                        "only while it holds exactly what evalkit wrote there")
    p.add_argument("--key-file", required=True, type=Path,
                   help="key made by 'evalkit keygen' (private to you, outside both folders)")
    p.add_argument("--keep-column", action="append", default=[], metavar="NAME",
                   help="also copy this extra column unchanged (repeatable); it must pass the "
                        "identifier guard")
    p.add_argument("--new-key", action="store_true",
                   help="accept a key other than the one recorded in OUT_DIR or IN_DIR")
    p.set_defaults(func=_cmd_pseudonymise)

    p = sub.add_parser("template", help="write an empty data-entry workbook (.xlsx)",
                       description="Write a new .xlsx workbook with one sheet per data file "
                                   "(exact headers, drop-down lists, date and number checks) "
                                   "and a read-me sheet. An existing file is never replaced.")
    p.add_argument("--out", required=True, type=Path, help="the new .xlsx file to write")
    p.set_defaults(func=_cmd_template)

    p = sub.add_parser("report", help="render the notebooks on a data folder into a report")
    p.add_argument("data_dir", nargs="?", type=Path, default=Path("data/sample"),
                   help="data folder to report on (default data/sample, the synthetic sample, "
                        "when run from the evalkit folder)")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default reports/<data folder name>): a new or empty "
                        "folder, or an earlier report. An existing folder is replaced only while "
                        "it holds exactly what evalkit wrote there (its .evalkit-report file "
                        "lists every file with its size and hash); with any other file in it, or "
                        "a file changed since, nothing is written")
    p.add_argument("--audience", choices=AUDIENCES, default="funder",
                   help="funder (default): coarse figures for readers outside the team; "
                        "research: exact statistics, no lists of people; internal: the "
                        "programme team's working view")
    p.add_argument("--min-cell", type=int, default=5,
                   help=f"smallest count of people shown (default 5, at least {MIN_CELL_FLOOR})")
    p.add_argument("--period", default=None, metavar="FROM:TO",
                   help="months to report on, both ends included, e.g. 2024-01:2024-12")
    p.add_argument("--title", default=None, metavar="TEXT", help="title of the report")
    p.add_argument("--pdf", action="store_true",
                   help="also write report.pdf beside report.html (needs chromium)")
    p.add_argument("--ledger", default=None, metavar="FILE",
                   help="funder reports: the release ledger, a private file recording what each "
                        "funder report published (exact counts: keep it like the data); a report "
                        "that with earlier ones would reveal a hidden count is refused. Default "
                        "evalkit/ledger.jsonl in your config folder ($XDG_CONFIG_HOME or "
                        "~/.config; %%APPDATA%% on Windows). 'none' keeps no ledger, and the "
                        "front page says so")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("export", help="write scored questionnaires for R, SPSS, Stata and Python",
                       description="Write one table per questionnaire (one row per person and "
                                   "wave: pseudonymous id, scale scores, items answered, bands) "
                                   "as CSV, Parquet, SPSS .sav and Stata .dta with variable and "
                                   "value labels, and codebook.csv. Exact per-person scores: "
                                   "refused for the funder audience.")
    p.add_argument("data_dir", type=Path)
    p.add_argument("--out", required=True, type=Path,
                   help="output folder: a new or empty folder, or an earlier export, replaced "
                        "only while it holds exactly what evalkit wrote there")
    p.add_argument("--audience", choices=AUDIENCES, default="research",
                   help="research (default) or internal; funder is refused")
    p.add_argument("--period", default=None, metavar="FROM:TO",
                   help="months of forms to export, both ends included, e.g. 2024-01:2024-12")
    p.set_defaults(func=_cmd_export)
    return parser


def _without_the_slow_iri_checker() -> bool:
    """Keep ``rfc3987_syntax`` out of this process: reading notebooks then starts a second sooner.

    nbformat validates notebooks with jsonschema, and jsonschema imports ``rfc3987_syntax``
    (when installed, as it is beside JupyterLab) as soon as it loads, which compiles some 38
    grammars: 1 to 3 s on two cores (python-jsonschema/jsonschema#1428). Notebook schemas check
    no IRI formats, so nothing evalkit does uses it. Only the report command does this, and
    :func:`main` takes the block away when the command ends (``main`` also runs inside other
    Python processes, such as the tests'); an ``rfc3987_syntax`` already imported is left alone.

    Returns
    -------
    bool
        Whether the block was put in place (and so is the caller's to take away).
    """
    if "rfc3987_syntax" in sys.modules:
        return False
    sys.modules["rfc3987_syntax"] = None  # its import now fails, which jsonschema allows
    return True


def main(argv: list[str] | None = None) -> int:
    """Run the ``evalkit`` command; returns the exit status.

    Parameters
    ----------
    argv
        The arguments after ``evalkit``; None reads them from ``sys.argv``.

    Returns
    -------
    int
        The exit status: 0 done, 1 problems found by ``validate``, 2 an option, folder, key or
        data that cannot be used (the message is printed on stderr), 3 an internal error, 130
        or 143 when interrupted.

    Examples
    --------
    >>> main(["report", "--min-cell", "2"])
    2
    """
    from .io.outfolder import Terminated

    parser = build_parser()
    args = parser.parse_args(argv)
    blocked = args.command == "report" and _without_the_slow_iri_checker()
    try:
        check = _CHECKS.get(args.command)
        if check is not None:
            check(args)
        return args.func(args)
    except EvalkitError as exc:
        print(f"evalkit {args.command}: {printable(str(exc), keep_lines=True)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"evalkit {args.command}: interrupted{_LEFT_AS_IT_WAS.get(args.command, '')}",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated as exc:
        print(f"evalkit {args.command}: stopped by SIGTERM"
              f"{_LEFT_AS_IT_WAS.get(args.command, '')}", file=sys.stderr)
        return int(exc.code)
    except Exception as exc:
        if os.environ.get("EVALKIT_DEBUG") == "1":
            raise
        # The exception's text is not shown: it could quote a value from the data.
        print(f"evalkit {args.command}: unexpected internal error ({type(exc).__name__}). "
              "Please report it; run again with EVALKIT_DEBUG=1 to see the details (they may "
              "include values from your data).", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        if blocked and sys.modules.get("rfc3987_syntax", "") is None:
            del sys.modules["rfc3987_syntax"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
