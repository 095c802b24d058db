"""``evalkit pseudonymise``: copy a data folder with person ids replaced by keyed pseudonyms.

The input is read, never changed. The output is written to a temporary folder beside the target and
renamed into place only when every file is done, so a failure leaves no partial copy. Neither the
key nor any original id is written anywhere.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..data.contracts import CONTRACTS
from ..data.read import read_raw
from ..errors import DataValidationError, EvalkitError, Problem
from .guard import identifier_column_reason
from .keys import pseudonymise_frame, read_key


def pseudonymise_folder(in_dir, out_dir, key_file) -> list[Path]:
    """Pseudonymise every known file of ``in_dir`` into the new folder ``out_dir``.

    Refuses to run without a key, when ``out_dir`` exists already, when the key lies inside either
    folder, and when the input has direct-identifier columns (remove those first).
    """
    in_dir, out_dir, key_path = Path(in_dir), Path(out_dir), Path(key_file)
    key = read_key(key_path)
    resolved_key = key_path.resolve()
    for folder in (in_dir, out_dir):
        if folder.resolve() in resolved_key.parents:
            raise EvalkitError(f"the key file lies inside {folder}; keep it outside data folders")
    if out_dir.exists():
        raise EvalkitError(f"{out_dir} exists already; name a new folder for the pseudonymised copy")
    if out_dir.resolve() == in_dir.resolve():
        raise EvalkitError("the output folder must differ from the input folder")

    raws, problems = read_raw(in_dir)
    errors = [p for p in problems if p.severity == "error"]
    errors += [p for raw in raws for p in raw.problems if p.severity == "error"]
    for raw in raws:
        if raw.frame is None:
            continue
        for column in raw.frame.columns:
            reason = identifier_column_reason(str(column))
            if reason and str(column).strip().lower() not in CONTRACTS[raw.name].column_names:
                errors.append(Problem(raw.label, str(column),
                                      f"looks like {reason}; delete this column first"))
    if errors:
        raise DataValidationError(in_dir.name, errors)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        written = []
        for raw in raws:
            if raw.frame is None:
                continue
            frame = raw.frame.rename(columns=lambda c: str(c).strip().lower())
            target = staging / CONTRACTS[raw.name].filename
            pseudonymise_frame(frame, key).to_csv(target, index=False, lineterminator="\n")
            written.append(out_dir / target.name)
        os.replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written
