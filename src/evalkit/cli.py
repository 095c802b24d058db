"""The ``evalkit`` command.

Every user-facing failure is an :class:`~evalkit.errors.EvalkitError` printed as one clear message
on stderr, without a traceback, and with a non-zero exit status.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import EvalkitError

EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def _cmd_synth(args) -> int:
    from .data import synth

    paths = synth.write(args.out, seed=args.seed, participants=args.participants,
                        practitioners=args.practitioners, instruments=args.instruments)
    print(f"wrote {len(paths)} files of synthetic data into {args.out}")
    return 0


def _cmd_validate(args) -> int:
    from .data.quality import quality_report

    report = quality_report(args.data_dir)
    print(report.text())
    return EXIT_PROBLEMS if report.errors else 0


def _cmd_keygen(args) -> int:
    from .privacy.keys import write_key

    path = write_key(args.out)
    print(f"wrote a new key to {path} (readable by you only). Keep it outside the project and "
          "never commit it; the same key gives the same pseudonyms.")
    return 0


def _cmd_pseudonymise(args) -> int:
    from .privacy.pseudonymise import pseudonymise_folder

    written = pseudonymise_folder(args.in_dir, args.out_dir, args.key_file)
    print(f"wrote {len(written)} pseudonymised files into {args.out_dir}")
    return 0


def _cmd_report(args) -> int:
    from .publish.report import render_report

    render_report(args.data_dir, out_dir=args.out, audience=args.audience,
                  min_cell=args.min_cell, pdf=args.pdf)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalkit",
        description="Evaluate perpetrator programmes from anonymised data.",
    )
    parser.add_argument("--version", action="version", version=f"evalkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("synth", help="write a synthetic data folder")
    p.add_argument("--out", required=True, type=Path, help="folder to write into")
    p.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    p.add_argument("--participants", type=int, default=130, help="participants (default 130)")
    p.add_argument("--practitioners", type=int, default=36, help="practitioners (default 36)")
    p.add_argument("--no-instruments", dest="instruments", action="store_false",
                   help="leave out the instruments folder and the answers of the sample's own "
                        "partner-reported instrument")
    p.set_defaults(func=_cmd_synth)

    p = sub.add_parser("validate", help="check a data folder and summarise its quality")
    p.add_argument("data_dir", type=Path)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("keygen", help="make a random key for pseudonymise")
    p.add_argument("--out", required=True, type=Path, help="key file to create (outside the project)")
    p.set_defaults(func=_cmd_keygen)

    p = sub.add_parser("pseudonymise", help="replace person ids with keyed pseudonyms")
    p.add_argument("in_dir", type=Path)
    p.add_argument("out_dir", type=Path)
    p.add_argument("--key-file", required=True, type=Path, help="key made by 'evalkit keygen'")
    p.set_defaults(func=_cmd_pseudonymise)

    p = sub.add_parser("report", help="render the notebooks on a data folder into a report")
    p.add_argument("data_dir", nargs="?", type=Path, default=Path("data/sample"))
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default reports/<data folder name>)")
    p.add_argument("--audience", choices=("funder", "internal"), default="funder")
    p.add_argument("--min-cell", type=int, default=5, help="smallest count shown (default 5)")
    p.add_argument("--pdf", action="store_true", help="also write report.pdf (needs chromium)")
    p.set_defaults(func=_cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except EvalkitError as exc:
        print(f"evalkit {args.command}: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS if args.command == "validate" else EXIT_USAGE
    except KeyboardInterrupt:
        print("evalkit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

