"""tools/mutants.py stays in step with the code: every snippet applies, once, to the current
``evalkit.stats``; a stale one stops the tool before anything runs."""

from __future__ import annotations

import ast
import sys

import pytest
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import mutants  # noqa: E402  (the project's own developer tool)


def test_every_mutant_snippet_applies_once_and_changes_the_code():
    assert mutants.stale(mutants.MUTANTS) == []
    for mutant in mutants.MUTANTS:
        text = (ROOT / mutants.STATS / mutant.module).read_text()
        for old, new in ((mutant.old, mutant.new), *mutant.more):
            text = text.replace(old, new)
        ast.parse(text)  # the mutated module still compiles: a test, not a syntax error, kills it


def test_a_stale_snippet_stops_the_tool_before_it_runs(monkeypatch):
    stale = mutants.Mutant("gone", "paired.py", "this line is not in the code", "x",
                           "test_paired.py")
    monkeypatch.setattr(mutants, "MUTANTS", [stale])
    monkeypatch.setattr(mutants, "_run", lambda *a: pytest.fail("ran pytest on a stale mutant"))
    with pytest.raises(SystemExit, match=r"(?s)stale mutants.*'gone': snippet found 0 times"):
        mutants.main([])
