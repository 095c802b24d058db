"""Finding and executing the workbook's notebooks.

``python -m evalkit.notebooks execute-in-place notebooks/*.ipynb`` is the one documented way to
refresh committed outputs (``make notebooks``): it runs each notebook on its default parameters
(``data/sample``) with settings that keep outputs identical from run to run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

#: Environment that makes outputs deterministic (DESIGN.md section 9).
DETERMINISTIC_ENV = {
    "PYTHONHASHSEED": "0",
    "TQDM_DISABLE": "1",
    "IPYKERNEL_CELL_NAME": "<cell>",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}


def notebook_dir() -> Path:
    """The workbook folder: ``notebooks/`` of the checkout evalkit runs from."""
    candidates = [Path.cwd() / "notebooks", Path(__file__).resolve().parents[3] / "notebooks"]
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("[0-9][0-9]_*.ipynb")):
            return candidate
    from ..errors import EvalkitError

    raise EvalkitError("cannot find the notebooks/ folder; run evalkit from the project checkout")


def workbook() -> list[Path]:
    """The numbered notebooks in order."""
    return sorted(notebook_dir().glob("[0-9][0-9]_*.ipynb"))


def apply_deterministic_env() -> None:
    os.environ.update(DETERMINISTIC_ENV)


def execute_in_place(path: Path, timeout: int = 600) -> None:
    """Execute one notebook on its own parameters and save it with its new outputs."""
    apply_deterministic_env()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    nbformat.write(nb, path)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "execute-in-place":
        print("usage: python -m evalkit.notebooks execute-in-place NOTEBOOK...", file=sys.stderr)
        return 2
    for name in argv[1:]:
        print(f"executing {name}", file=sys.stderr)
        execute_in_place(Path(name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
