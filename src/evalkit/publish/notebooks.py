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
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
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


class _KernelState:
    """What a :class:`Kernel` holds while it runs: its one client, and whether it has run a
    notebook since it started (the next one then needs an emptied namespace)."""

    def __init__(self) -> None:
        self.client = None
        self.used = False


@dataclass(frozen=True)
class Kernel:
    """A running kernel several notebooks share, and the folder it runs in.

    Parameters
    ----------
    manager
        jupyter_client's manager of the kernel process.
    cwd
        The absolute folder the kernel runs in.
    preload
        Modules the kernel imports as soon as it has started, before any notebook (so that the
        import overlaps other work); they bind no name in the notebooks' namespace.

    Examples
    --------
    >>> with shared_kernel(Path.cwd()) as shared:
    ...     shared.cwd == str(Path.cwd().resolve()), shared.manager.has_kernel
    (True, False)
    """

    manager: KernelManager
    cwd: str
    preload: tuple[str, ...] = ()
    # Made here, never given: the client and whether a notebook has run since the start.
    state: _KernelState = field(default_factory=_KernelState, init=False, repr=False,
                                compare=False)


@contextmanager
def shared_kernel(cwd: Path) -> Iterator[Kernel]:
    """One Python kernel for several notebooks, started in ``cwd`` and stopped on leaving.

    Starting a kernel and importing pandas, matplotlib and evalkit takes seconds, as long as a
    short notebook itself; notebooks run one after another in one kernel, and :func:`execute`
    empties the kernel's namespace before each, so no notebook sees another's variables
    (imported modules and the library's cache of loaded data folders stay). The kernel is
    reached over local IPC sockets in a private folder, so the kernel (which runs in ``cwd``)
    and this process find the same sockets; a run killed outright leaves the folder for the
    next run to remove.

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
    with _kernels(cwd, 1) as kernels:
        yield kernels[0]


@contextmanager
def _kernels(cwd: Path, size: int, preload: Sequence[str] = ()) -> Iterator[list[Kernel]]:
    """``size`` kernels (not yet started) with their sockets in one private folder."""
    apply_deterministic_env()
    with scratch_folder("kernel") as sockets:
        names = ["kernel"] if size == 1 else [f"kernel-{i}" for i in range(size)]
        kernels = [Kernel(KernelManager(kernel_name="python3", transport="ipc",
                                        connection_file=str(sockets / f"{name}.json")),
                          str(Path(cwd).resolve()), tuple(preload)) for name in names]
        try:
            yield kernels
        except BaseException:
            for kernel in kernels:
                with suppress(Exception):  # the error unwinding is the one to report
                    _stop(kernel)
            raise
        for kernel in kernels:
            _stop(kernel)


def _stop(kernel: Kernel) -> None:
    """Stop a kernel and its client; safe to call twice or on a kernel that never started."""
    client, kernel.state.client = kernel.state.client, None
    if client is not None:
        client.stop_channels()
    if kernel.manager.has_kernel:
        kernel.manager.shutdown_kernel(now=True)


def _stop_while_unwinding(kernels: Sequence[Kernel]) -> None:
    """Stop the kernels while an error or a signal unwinds, without replacing it.

    A kernel's own thread may be starting it at this moment: stopping it from here can then
    fail inside jupyter_client (an ``InvalidStateError`` of its start-up future). The error
    that is unwinding is what the user must see; a kernel not stopped here is stopped again
    when the pool closes (:func:`_kernels`).
    """
    for kernel in kernels:
        try:
            if kernel.manager.has_kernel:
                kernel.manager.shutdown_kernel(now=True)
        except Exception:  # noqa: S112 - the first error is the one to report
            continue


#: Run once in a kernel right after it starts: import the preloaded modules, binding no name.
_PRELOAD = "__import__({module!r})"

#: Run in a shared kernel before each notebook but the first: forget the last notebook's
#: variables (IPython's ``%reset -f``, without the full garbage collection it ends with, which
#: takes a few tenths of a second in a kernel holding pandas and matplotlib and changes nothing
#: a notebook can see), go back to the kernel's folder, and number cells from 1 again.
_FRESH_NAMESPACE = """\
def _evalkit_fresh_namespace(shell, cwd):
    import gc, os
    collect = gc.collect
    gc.collect = lambda generation=2: 0
    try:
        shell.reset(new_session=False)
    finally:
        gc.collect = collect
    os.chdir(cwd)
    shell.execution_count = 1
_evalkit_fresh_namespace(get_ipython(), {cwd!r})
"""


def _ready_client(kernel: Kernel, timeout: int):
    """The kernel's one client: the kernel is started, and its modules preloaded, on first use.

    The kernel's own stdout and stderr (start-up notices, tracebacks that could quote data) go
    nowhere: what cells print is in their outputs.
    """
    if kernel.state.client is not None:
        return kernel.state.client
    if not kernel.manager.has_kernel:
        kernel.manager.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"],
                                    cwd=kernel.cwd, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
    client = kernel.manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        client.allow_stdin = False
        for module in kernel.preload:  # a failed import fails the notebook that needs it
            _run_quietly(client, _PRELOAD.format(module=module), timeout)
    except BaseException:
        client.stop_channels()
        raise
    kernel.state.client = client
    return client


def _run_quietly(client, code: str, timeout: int) -> bool:
    """Run ``code`` in the kernel without output or history; True when it raised nothing."""
    reply = client.execute_interactive(code, silent=True, store_history=False, timeout=timeout,
                                       output_hook=lambda message: None)
    return reply["content"]["status"] == "ok"


def _empty_namespace(kernel: Kernel, timeout: int) -> None:
    client = _ready_client(kernel, timeout)
    if not _run_quietly(client, _FRESH_NAMESPACE.format(cwd=kernel.cwd), timeout):
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
    _run_beside_signals(lambda: _execute_here(nb, kernel, parameters, timeout), [kernel])
    return nb


def _execute_here(nb: NotebookNode, kernel: Kernel, parameters: dict[str, object] | None,
                  timeout: int) -> None:
    """Execute ``nb`` in ``kernel`` in this thread (see :func:`execute`)."""
    if parameters:
        inject_parameters(nb, parameters)
    if kernel.state.used:
        _empty_namespace(kernel, timeout)
    client = NotebookClient(nb, km=kernel.manager, timeout=timeout, record_timing=False,
                            resources={"metadata": {"path": kernel.cwd}})
    client.kc = _ready_client(kernel, timeout)
    kernel.state.used = True
    client.execute()
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def _run_beside_signals(work: Callable[[], None], kernels: Sequence[Kernel]) -> None:
    """Run ``work`` in a worker thread and wait for it in this one.

    nbclient replaces the process's SIGTERM and SIGINT handlers while it runs in the main thread
    (and leaves them replaced); in a worker thread it cannot, so the handlers that clean up a
    half-written report stay in force. A signal raised here while waiting stops the kernels and
    unwinds.
    """
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # handed to the waiting thread
            failure.append(exc)

    worker = threading.Thread(target=run, name="evalkit-notebook", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except BaseException:
        _stop_while_unwinding(kernels)
        raise
    if failure:
        raise failure[0]


def kernel_count(notebooks: int) -> int:
    """How many kernels to run ``notebooks`` notebooks side by side.

    One per core this process may use, at most :data:`MAX_KERNELS` and at most one per
    notebook. ``EVALKIT_KERNELS`` (a whole number of at least 1) overrides the number of cores.

    Parameters
    ----------
    notebooks
        How many notebooks are to run.

    Returns
    -------
    int
        At least 1.

    Examples
    --------
    >>> kernel_count(1)
    1
    >>> 1 <= kernel_count(6) <= MAX_KERNELS
    True
    """
    wanted = os.environ.get("EVALKIT_KERNELS", "")
    if wanted.isdigit() and int(wanted) >= 1:
        cores = int(wanted)
    elif hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_KERNELS, notebooks))


#: The most kernels :class:`KernelPool` runs at once (each holds pandas, matplotlib and the data).
MAX_KERNELS = 3


class NotebookFailed(Exception):
    """A notebook run by :class:`KernelPool` failed.

    Parameters
    ----------
    index
        Its place in the list given to :meth:`KernelPool.run`.
    error
        What it raised (nbclient's ``CellExecutionError`` for a cell that failed).

    Examples
    --------
    >>> NotebookFailed(2, ValueError("x")).index
    2
    """

    def __init__(self, index: int, error: BaseException):
        super().__init__(f"notebook {index} failed ({type(error).__name__})")
        self.index, self.error = index, error


class KernelPool:
    """Kernels that execute a list of notebooks side by side, each notebook in one kernel.

    Each kernel starts (and imports ``preload``) in a thread of its own as soon as the pool is
    entered, so start-up overlaps whatever the caller does before :meth:`run`. A kernel takes the
    next notebook as soon as it is free; each notebook runs in an emptied namespace (see
    :func:`shared_kernel`), so its outputs do not depend on which kernel ran it or on what ran
    there before.

    Parameters
    ----------
    cwd
        The folder the kernels run in.
    size
        How many kernels (see :func:`kernel_count`).
    preload
        Modules each kernel imports when it starts.
    timeout
        Seconds a cell (or a kernel's start) may take.

    Examples
    --------
    >>> books = [nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"{n} * 2")])
    ...          for n in range(3)]
    >>> with KernelPool(Path.cwd(), 2) as pool:
    ...     pool.run([(nb, None) for nb in books])
    >>> [nb.cells[0].outputs[0]["data"]["text/plain"] for nb in books]
    ['0', '2', '4']
    """

    def __init__(self, cwd: Path, size: int, *, preload: Sequence[str] = (),
                 timeout: int = 900):
        self.cwd, self.size, self.preload, self.timeout = Path(cwd), size, tuple(preload), timeout
        self.kernels: list[Kernel] = []
        self._jobs: queue.Queue = queue.Queue()
        self._done: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._context = None
        self._submitted = self._finished = 0

    def __enter__(self) -> KernelPool:
        self._context = _kernels(self.cwd, self.size, self.preload)
        self.kernels = self._context.__enter__()
        try:
            for kernel in self.kernels:
                thread = threading.Thread(target=self._serve, args=(kernel,), daemon=True,
                                          name="evalkit-notebook")
                thread.start()
                self._threads.append(thread)
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        if exc_info[0] is not None:  # stop the kernels first: a busy thread then ends soon
            _stop_while_unwinding(self.kernels)
        for kernel, thread in zip(self.kernels, self._threads, strict=False):
            thread.join(30 if exc_info[0] is None else 5)
            if thread.is_alive():  # its client is still in use: leave it to the process's end
                kernel.state.client = None
        self._context.__exit__(*exc_info)

    def _serve(self, kernel: Kernel) -> None:
        """A kernel's thread: start it, then execute notebooks until told to stop."""
        try:
            _ready_client(kernel, self.timeout)
        except BaseException as exc:  # reported with the first notebook this kernel takes
            broken: BaseException | None = exc
        else:
            broken = None
        while True:
            job = self._jobs.get()
            if job is None:
                return
            index, nb, parameters = job
            started = time.perf_counter()
            try:
                if broken is not None:
                    raise broken
                _execute_here(nb, kernel, parameters, self.timeout)
            except BaseException as exc:  # handed to the waiting thread
                self._done.put((index, time.perf_counter() - started, exc))
            else:
                self._done.put((index, time.perf_counter() - started, None))

    def run(self, notebooks: Sequence[tuple[NotebookNode, dict[str, object] | None]], *,
            on_done: Callable[[int, float], None] | None = None) -> None:
        """Execute ``notebooks`` (each in place, with its parameters injected) and wait for them.

        Parameters
        ----------
        notebooks
            ``(notebook, parameters)`` pairs, taken in this order; ``parameters`` as in
            :func:`execute`.
        on_done
            Called in this thread with a notebook's index and its seconds as each one finishes.

        Raises
        ------
        NotebookFailed
            For the first notebook (in the order given) that failed, with its error; once one
            fails, no further notebook is started.

        Examples
        --------
        >>> book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("6 * 7")])
        >>> with KernelPool(Path.cwd(), 1) as pool:
        ...     pool.run([(book, None)], on_done=lambda index, seconds: print("done", index))
        done 0
        >>> book.cells[0].outputs[0]["data"]["text/plain"]
        '42'
        """
        self.submit(notebooks)
        self.wait(on_done=on_done)

    def submit(self, notebooks: Sequence[tuple[NotebookNode, dict[str, object] | None]]) -> None:
        """Hand ``notebooks`` to the kernels and return at once; :meth:`wait` waits for them.

        Parameters
        ----------
        notebooks
            As for :meth:`run`.

        Examples
        --------
        >>> books = [nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        ...          for code in ("1 + 1", "2 + 2")]
        >>> with KernelPool(Path.cwd(), 1) as pool:
        ...     pool.submit([(nb, None) for nb in books])
        ...     pool.wait()
        >>> [nb.cells[0].outputs[0]["data"]["text/plain"] for nb in books]
        ['2', '4']
        """
        for nb, parameters in notebooks:
            self._jobs.put((self._submitted, nb, parameters))
            self._submitted += 1

    def wait(self, *, on_done: Callable[[int, float], None] | None = None) -> None:
        """Wait for every notebook handed to :meth:`submit` (see :meth:`run`).

        Parameters
        ----------
        on_done
            As for :meth:`run`.

        Raises
        ------
        NotebookFailed
            As for :meth:`run`.

        Examples
        --------
        >>> book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
        >>> with KernelPool(Path.cwd(), 1) as pool:
        ...     pool.submit([(book, None)])
        ...     pool.wait()
        Traceback (most recent call last):
        ...
        evalkit.publish.notebooks.NotebookFailed: notebook 0 failed (CellExecutionError)
        """
        failures: dict[int, BaseException] = {}
        try:
            while self._finished < self._submitted:
                index, seconds, failure = self._next_done()
                self._finished += 1
                if failure is not None:
                    failures[index] = failure
                    self._finished += self._drop_waiting_jobs()
                elif on_done is not None:
                    on_done(index, seconds)
        except BaseException:
            _stop_while_unwinding(self.kernels)
            raise
        if failures:
            first = min(failures)
            raise NotebookFailed(first, failures[first]) from failures[first]

    def _next_done(self):
        """The next finished notebook; waits in short steps, so that signals are handled."""
        while True:
            try:
                return self._done.get(timeout=0.2)
            except queue.Empty:
                if not any(thread.is_alive() for thread in self._threads):
                    raise EvalkitError("the notebook kernels stopped") from None

    def _drop_waiting_jobs(self) -> int:
        """Take back the notebooks no kernel has started; returns how many."""
        dropped = 0
        while True:
            try:
                self._jobs.get_nowait()
            except queue.Empty:
                return dropped
            dropped += 1


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
