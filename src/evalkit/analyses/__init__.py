"""One module per question the workbook answers.

Each module defines ``ANALYSIS`` (:class:`evalkit.analyses._base.Analysis`): the files it needs,
the result tables it publishes and the function that computes them, plus public functions a
researcher can call directly. Adding an analysis means adding its module, its notebook and its
tests; :func:`registry` finds it.
"""

from ._base import Analysis, get, registry

__all__ = ["Analysis", "get", "registry"]
