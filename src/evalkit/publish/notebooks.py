"""The one notebook engine: finding the workbook's notebooks and executing them.

``python -m evalkit.publish.notebooks execute-in-place notebooks/*.ipynb`` is the one documented way
to refresh committed outputs (``make notebooks``); ``evalkit report`` executes copies with the
report's parameters through :func:`execute`. Both use nbclient with the settings that keep outputs
identical from run to run, and talk to the kernel over local IPC sockets rather than TCP, so nothing
(not even a local port) carries the data between processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient

from ..errors import EvalkitError

#: Environment that makes outputs deterministic.
DETERMINISTIC_ENV = {
    "PYTHONHASHSEED": "0",
    "TQDM_DISABLE": "1",
    "IPYKERNEL_CELL_NAME": "<cell>",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}
#: The parameters every notebook's ``parameters`` cell defines.
PARAMETERS = ("data_dir", "results_dir", "audience", "min_cell", "period")


def notebook_dir() -> Path:
    """The workbook folder: ``notebooks/`` of the checkout evalkit runs from."""
    candidates = [Path.cwd() / "notebooks", Path(__file__).resolve().parents[3] / "notebooks"]
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("[0-9][0-9]_*.ipynb")):
            return candidate
    raise EvalkitError("cannot find the notebooks/ folder; run evalkit from the project checkout")


def workbook() -> list[Path]:
    """The numbered notebooks in order."""
    return sorted(notebook_dir().glob("[0-9][0-9]_*.ipynb"))


def analyses_of(nb) -> list[str]:
    """The analyses a notebook shows (declared once, in its metadata ``evalkit.analyses``); an
    empty list means the notebook needs no particular file."""
    return list(nb.metadata.get("evalkit", {}).get("analyses", []))


def apply_deterministic_env() -> None:
    os.environ.update(DETERMINISTIC_ENV)


def inject_parameters(nb, parameters: dict) -> None:
    """Add a cell tagged ``injected-parameters`` after the ``parameters`` cell."""
    lines = [f"{name} = {value!r}" for name, value in parameters.items()]
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    for index, existing in enumerate(nb.cells):
        if "parameters" in existing.metadata.get("tags", []):
            nb.cells.insert(index + 1, cell)
            return
    raise EvalkitError("a notebook has no cell tagged 'parameters'")


def execute(nb, *, cwd: Path, parameters: dict | None = None, timeout: int = 900):
    """Execute ``nb`` (in place) in folder ``cwd`` with ``parameters`` injected; returns it."""
    apply_deterministic_env()
    if parameters:
        inject_parameters(nb, parameters)
    # The IPC sockets live beside an absolute connection file in a private folder, so the kernel
    # (which runs in ``cwd``) and this process find the same sockets.
    with tempfile.TemporaryDirectory(prefix="evalkit-kernel-") as sockets:
        manager = KernelManager(kernel_name="python3", transport="ipc",
                                connection_file=str(Path(sockets) / "kernel.json"))
        client = NotebookClient(nb, km=manager, timeout=timeout, record_timing=False,
                                resources={"metadata": {"path": str(cwd)}})
        try:
            _run_beside_signals(client, manager)
        finally:
            if manager.has_kernel:
                manager.shutdown_kernel(now=True)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    return nb


def _run_beside_signals(client: NotebookClient, manager: KernelManager) -> None:
    """Run the client in a worker thread and wait for it in this one.

    nbclient replaces the process's SIGTERM and SIGINT handlers while it runs in the main thread
    (and leaves them replaced); in a worker thread it cannot, so the handlers that clean up a
    half-written report stay in force. A signal raised here while waiting stops the kernel and
    unwinds. The kernel's own stdout and stderr (start-up notices, tracebacks that could quote
    data) never reach the terminal: what cells print is in their outputs.
    """
    failure: list[BaseException] = []

    def work() -> None:
        try:
            client.execute(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except BaseException as exc:  # handed to the waiting thread
            failure.append(exc)

    worker = threading.Thread(target=work, name="evalkit-notebook", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except BaseException:
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
        raise
    if failure:
        raise failure[0]


def execute_in_place(path: Path, timeout: int = 900) -> None:
    """Execute one notebook on its own parameters and save it with its new outputs."""
    nb = nbformat.read(path, as_version=4)
    execute(nb, cwd=path.parent, timeout=timeout)
    nbformat.write(nb, path)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "execute-in-place":
        print("usage: python -m evalkit.publish.notebooks execute-in-place NOTEBOOK...",
              file=sys.stderr)
        return 2
    for name in argv[1:]:
        print(f"executing {name}", file=sys.stderr)
        execute_in_place(Path(name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
