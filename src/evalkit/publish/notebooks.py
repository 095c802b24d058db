"""The one notebook engine: finding the workbook's notebooks and executing them.

``python -m evalkit.publish.notebooks execute-in-place notebooks/*.ipynb`` is the one documented way
to refresh committed outputs (``make notebooks``); ``evalkit report`` executes copies with the
report's parameters through :func:`execute`. Both use nbclient with the settings that keep outputs
identical from run to run, and talk to the kernel over local IPC sockets rather than TCP, so nothing
(not even a local port) carries the data between processes.
"""

from __future__ import annotations

import importlib.resources
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbformat import NotebookNode

from ..errors import EvalkitError
from ..io.outfolder import scratch_folder

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
    """The workbook folder of the evalkit that is running; never one in the current folder.

    An installed evalkit carries its notebooks inside the package, in ``evalkit/workbook/``
    (the build copies them there from the checkout's ``notebooks/``). evalkit run from a checkout
    (an editable install, or ``PYTHONPATH=src``) uses that checkout's ``notebooks/``: the folder
    beside the ``src/`` that holds the running code. A ``notebooks/`` folder in the current
    folder is never looked at: its notebooks would run with the user's rights and could write
    anything into a report.

    Returns
    -------
    Path
        The folder holding the numbered notebooks.

    Raises
    ------
    EvalkitError
        When the running evalkit has no workbook (a broken installation).

    Examples
    --------
    >>> notebook_dir() == Path(__file__).resolve().parents[3] / "notebooks"  # in a checkout
    True
    """
    package = importlib.resources.files("evalkit")
    candidates = [package / "workbook"] if isinstance(package, Path) else []
    here = Path(__file__).resolve()  # <checkout>/src/evalkit/publish/notebooks.py
    if here.parents[2].name == "src" and (here.parents[3] / "pyproject.toml").is_file():
        candidates.append(here.parents[3] / "notebooks")
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("[0-9][0-9]_*.ipynb")):
            return candidate
    raise EvalkitError("this evalkit installation has no workbook (evalkit/workbook/*.ipynb is "
                       "missing): reinstall evalkit")


def workbook() -> list[Path]:
    """The numbered notebooks in order.

    Returns
    -------
    list of Path
        The ``NN_*.ipynb`` files of :func:`notebook_dir`, sorted by name.

    Examples
    --------
    >>> [path.name for path in workbook()][:2]
    ['00_data_overview.ipynb', '01_attendance.ipynb']
    """
    return sorted(notebook_dir().glob("[0-9][0-9]_*.ipynb"))


def analyses_of(nb: NotebookNode) -> list[str]:
    """The analyses a notebook shows, declared once, in its metadata ``evalkit.analyses``.

    Parameters
    ----------
    nb
        A notebook read with nbformat.

    Returns
    -------
    list of str
        Analysis names; an empty list means the notebook needs no particular file.

    Examples
    --------
    >>> analyses_of(nbformat.read(workbook()[1], as_version=4))
    ['attendance', 'attrition', 'delivery']
    """
    return list(nb.metadata.get("evalkit", {}).get("analyses", []))


def apply_deterministic_env() -> None:
    """Set the environment that makes notebook outputs the same from run to run.

    The variables (:data:`DETERMINISTIC_ENV`) are set in this process, so kernels it starts
    inherit them.

    Examples
    --------
    >>> apply_deterministic_env()
    >>> os.environ["PYTHONHASHSEED"]
    '0'
    """
    os.environ.update(DETERMINISTIC_ENV)


def inject_parameters(nb: NotebookNode, parameters: dict[str, object]) -> None:
    """Add a cell tagged ``injected-parameters`` after the ``parameters`` cell.

    Parameters
    ----------
    nb
        A notebook read with nbformat; changed in place.
    parameters
        Name -> value; each becomes a line ``name = repr(value)``.

    Raises
    ------
    EvalkitError
        When the notebook has no cell tagged ``parameters``.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("data_dir = 'data/sample'"),
    ...                                       nbformat.v4.new_code_cell("print(data_dir)")])
    >>> nb.cells[0].metadata["tags"] = ["parameters"]
    >>> inject_parameters(nb, {"data_dir": "data/site_a", "min_cell": 10})
    >>> print(nb.cells[1].source)
    data_dir = 'data/site_a'
    min_cell = 10
    """
    lines = [f"{name} = {value!r}" for name, value in parameters.items()]
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    for index, existing in enumerate(nb.cells):
        if "parameters" in existing.metadata.get("tags", []):
            nb.cells.insert(index + 1, cell)
            return
    raise EvalkitError("a notebook has no cell tagged 'parameters'")


@dataclass(frozen=True)
class Kernel:
    """A running kernel several notebooks share, and the folder it runs in.

    Parameters
    ----------
    manager
        jupyter_client's manager of the kernel process.
    cwd
        The absolute folder the kernel runs in.

    Examples
    --------
    >>> with shared_kernel(Path.cwd()) as shared:
    ...     shared.cwd == str(Path.cwd().resolve()), shared.manager.has_kernel
    (True, False)
    """

    manager: KernelManager
    cwd: str


@contextmanager
def shared_kernel(cwd: Path) -> Iterator[Kernel]:
    """One Python kernel for several notebooks, started in ``cwd`` and stopped on leaving.

    Starting a kernel and importing pandas, matplotlib and evalkit takes seconds, as long as a
    short notebook itself; a report runs its notebooks one after another in one kernel, and
    :func:`execute` empties the kernel's namespace before each, so no notebook sees another's
    variables (imported modules and the library's cache of loaded data folders stay). The
    kernel is reached over local IPC sockets in a private folder, so the kernel (which runs in
    ``cwd``) and this process find the same sockets; a run killed outright leaves the folder
    for the next run to remove.

    Parameters
    ----------
    cwd
        The folder the kernel runs in (relative paths in the notebooks start there).

    Yields
    ------
    Kernel
        What to pass to :func:`execute` as ``kernel=``; the kernel starts with the first
        notebook.

    Examples
    --------
    >>> cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("'x' in dir()")]
    >>> with shared_kernel(Path.cwd()) as shared:
    ...     first = execute(nbformat.v4.new_notebook(cells=cells[:1]), cwd=Path.cwd(),
    ...                     kernel=shared)
    ...     second = execute(nbformat.v4.new_notebook(cells=cells[1:]), cwd=Path.cwd(),
    ...                      kernel=shared)
    >>> second.cells[0].outputs[0]["data"]["text/plain"], second.cells[0].execution_count
    ('False', 1)
    """
    apply_deterministic_env()
    with scratch_folder("kernel") as sockets:
        manager = KernelManager(kernel_name="python3", transport="ipc",
                                connection_file=str(sockets / "kernel.json"))
        try:
            yield Kernel(manager, str(Path(cwd).resolve()))
        finally:
            if manager.has_kernel:
                manager.shutdown_kernel(now=True)


#: Run in a shared kernel before each notebook but the first: forget the last notebook's
#: variables, go back to the kernel's folder, and number cells from 1 again.
_FRESH_NAMESPACE = """\
get_ipython().run_line_magic("reset", "-f")
__import__("os").chdir({cwd!r})
get_ipython().execution_count = 1
"""


def _empty_namespace(kernel: Kernel, timeout: int) -> None:
    client = kernel.manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        reply = client.execute_interactive(
            _FRESH_NAMESPACE.format(cwd=kernel.cwd), silent=True, store_history=False,
            timeout=timeout, output_hook=lambda message: None)
    finally:
        client.stop_channels()
    if reply["content"]["status"] != "ok":
        raise EvalkitError("the shared notebook kernel could not be reset for the next notebook")


def execute(nb: NotebookNode, *, cwd: Path, parameters: dict[str, object] | None = None,
            timeout: int = 900, kernel: Kernel | None = None) -> NotebookNode:
    """Execute ``nb`` (in place) in folder ``cwd`` with ``parameters`` injected; returns it.

    The kernel is reached over local IPC sockets, and the metadata that changes from run to run
    (timings, papermill's, widgets') is dropped.

    Parameters
    ----------
    nb
        A notebook read with nbformat.
    cwd
        The folder the kernel runs in (relative paths in the notebook start there); with a
        shared ``kernel``, the folder that kernel was made for.
    parameters
        Values for the ``parameters`` cell, or None to run the notebook as it is.
    timeout
        Seconds a cell may take.
    kernel
        A kernel shared by several notebooks (see :func:`shared_kernel`); by default the notebook gets
        a kernel of its own.

    Returns
    -------
    NotebookNode
        ``nb``, with its outputs.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("data_dir = 'data/sample'"),
    ...                                       nbformat.v4.new_code_cell("print(data_dir)")])
    >>> nb.cells[0].metadata["tags"] = ["parameters"]
    >>> out = execute(nb, cwd=Path.cwd(), parameters={"data_dir": "data/site_a"})
    >>> out.cells[2].outputs[0]["text"]
    'data/site_a\\n'
    """
    if kernel is None:
        with shared_kernel(cwd) as own:
            return execute(nb, cwd=cwd, parameters=parameters, timeout=timeout, kernel=own)
    if parameters:
        inject_parameters(nb, parameters)
    if kernel.manager.has_kernel:
        _empty_namespace(kernel, timeout)
    client = NotebookClient(nb, km=kernel.manager, timeout=timeout, record_timing=False,
                            resources={"metadata": {"path": kernel.cwd}})
    _run_beside_signals(client, kernel.manager)
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
    """Execute one notebook on its own parameters and save it with its new outputs.

    Parameters
    ----------
    path
        The ``.ipynb`` file; it runs in its own folder.
    timeout
        Seconds a cell may take.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "sum.ipynb"
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), path)
    >>> execute_in_place(path)
    >>> nbformat.read(path, as_version=4).cells[0].outputs[0]["data"]
    {'text/plain': '2'}
    """
    nb = nbformat.read(path, as_version=4)
    execute(nb, cwd=path.parent, timeout=timeout)
    nbformat.write(nb, path)


def main(argv: list[str]) -> int:
    """Run ``python -m evalkit.publish.notebooks execute-in-place NOTEBOOK...``.

    This is ``make notebooks``: each notebook is executed on its own parameters and saved.

    Parameters
    ----------
    argv
        The arguments: ``execute-in-place`` and one or more notebooks.

    Returns
    -------
    int
        0 when every notebook ran; 2, with the usage on stderr, for other arguments.

    Examples
    --------
    >>> main(["refresh", "notebooks/01_attendance.ipynb"])
    2
    """
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
