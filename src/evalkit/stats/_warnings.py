"""Keeping third-party notices about the libraries' own code out of results.

Libraries warn about their own use of other libraries (pingouin about pandas 3, for instance).
Those notices say nothing about the user's data, so they may be silenced, but only by the module
that raises them and only for the categories that announce code changes. A warning raised by
evalkit itself, or any warning about the data (RuntimeWarning, ConvergenceWarning, ...), still
reaches the user whatever its text.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator

#: The categories libraries use for notices about their own code.
CODE_NOTICES = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


@contextlib.contextmanager
def quiet_library_warnings(*modules: str) -> Iterator[None]:
    """Silence code notices raised from within the named libraries, in this block only.

    Parameters
    ----------
    *modules
        Top-level package names (default ``"pingouin"``). A warning is silenced when the module
        it is attributed to is one of these packages or inside them, and its category is one of
        ``CODE_NOTICES``. Warnings raised by pandas on a library's behalf are attributed to the
        library's calling module (pandas reports the first frame outside itself).

    Yields
    ------
    None
        Nothing: the filters hold while the block runs and are restored after it.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     with quiet_library_warnings("pingouin"):
    ...         warnings.warn_explicit("x is deprecated", FutureWarning, "p.py", 1,
    ...                                module="pingouin.parametric")
    ...         warnings.warn_explicit("x is deprecated", FutureWarning, "e.py", 1,
    ...                                module="evalkit.stats.groups")
    >>> [str(w.message) for w in caught], caught[0].filename
    (['x is deprecated'], 'e.py')
    """
    names = modules or ("pingouin",)
    with warnings.catch_warnings():
        for name in names:
            pattern = rf"{re.escape(name)}(\.|$)"
            for category in CODE_NOTICES:
                warnings.filterwarnings("ignore", category=category, module=pattern)
        yield
