"""Keeping third-party warnings about the libraries' own code out of results."""

from __future__ import annotations

import contextlib
import warnings


@contextlib.contextmanager
def quiet_library_warnings():
    """Silence deprecation notices that libraries (pingouin on pandas 3) raise about their own
    code: they say nothing about the user's data and would otherwise reach notebook outputs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", category=Warning, module=r"pingouin\..*")
        warnings.filterwarnings("ignore", message=r".*(deprecated|inplace keyword).*")
        yield

