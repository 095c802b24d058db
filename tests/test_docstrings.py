"""The public API is documented and typed, and stays so (issue 15).

Every public function, class, method and property of evalkit is found by importing each module
under ``src/evalkit`` and checked with numpydoc's own validator, so a new function without a
docstring, a renamed parameter left in the docs or a missing Examples section fails here with
its qualified name. The examples themselves run as doctests (``--doctest-modules``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from functools import cached_property
from types import ModuleType

import pytest
from numpydoc.docscrape import get_doc_object
from numpydoc.validate import validate
from tests.conftest import ROOT

import evalkit

#: The numpydoc checks that fail the test, and why each matters.
CHECKS = {
    "GL02": "closing quotes on their own line",
    "GL03": "no double blank lines",
    "GL06": "only numpydoc section names (a misspelt one is silently dropped)",
    "GL07": "sections in numpydoc order",
    "GL08": "a docstring at all",
    "SS01": "a one-line summary",
    "SS02": "the summary starts with a capital letter",
    "SS03": "the summary ends with a period",
    "SS06": "the summary fits on one line",
    "PR01": "every parameter documented",
    "PR02": "no documented parameter the signature lacks",
    "PR03": "parameters documented in signature order",
    "PR07": "every documented parameter described",
    "RT01": "a Returns section where the function returns a value",
    "RT03": "the return value described",
    "YD01": "a Yields section for generators",
    "EX01": "an Examples section (run as a doctest)",
}
# Not checked, on purpose:
# - PR04 (parameter has no type): the types are the signature's hints, checked by
#   test_public_functions_have_type_hints; writing them twice would let the two drift apart.
# - ES01 (extended summary), SA01 (See Also): useful where there is something to say, noise
#   where there is not.
# - SS05 (summary starts with an infinitive): a heuristic that flags any first word ending in
#   "s", so also "Holm's ..." or "Process ..."; many summaries here say what a function returns
#   ("Wilson score interval for a proportion") and read better so.
# - RT02, RT04, RT05, PR08, PR09: punctuation of descriptions.

#: Properties are documented as attributes: a summary saying what they hold. They take no
#: parameters and return what the summary says, so only these checks apply; their examples are
#: on their class.
PROPERTY_CHECKS = ("GL08", "SS01", "SS02", "SS03", "SS06")

#: Checks waived for one object: ``{"evalkit.module.name": {"EX01": "the reason"}}``. Nothing
#: needs one today: an example that cannot run here (a whole report, Chromium) shows the call
#: with ``# doctest: +SKIP`` next to a runnable one. Add an entry only with its reason.
EXEMPT: dict[str, dict[str, str]] = {}


def _modules() -> Iterator[ModuleType]:
    yield evalkit
    for info in pkgutil.walk_packages(evalkit.__path__, prefix="evalkit."):
        yield importlib.import_module(info.name)


def _is_private(module: ModuleType) -> bool:
    return any(part.startswith("_") for part in module.__name__.split("."))


def public_objects() -> dict[str, object]:
    """Every public function, class, method and property, by qualified name.

    Public means a name without a leading underscore: what a module lists in ``__all__``
    (wherever inside evalkit it is defined), or else every such name the module defines itself
    (not what it imported, such as pandas or Path). Functions of private modules
    (``evalkit.analyses._base``) count too, so helpers shared between modules are documented.
    """
    found: dict[str, object] = {}
    for module in _modules():
        listed = None if _is_private(module) else getattr(module, "__all__", None)
        names = listed if listed is not None else [n for n in vars(module)
                                                   if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue  # constants are documented by their #: comment
            home = getattr(obj, "__module__", None) or ""
            if not home.startswith("evalkit") or (listed is None and home != module.__name__):
                continue
            qualified = f"{obj.__module__}.{obj.__qualname__}"
            found[qualified] = obj
            if not inspect.isclass(obj):
                continue
            # Methods the class itself defines. Dunders (including the __init__, __repr__ and
            # __eq__ that dataclass writes) are private by their leading underscore, and
            # __init__'s parameters are checked on the class docstring instead (numpydoc
            # validates a class against its constructor's signature).
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(value, staticmethod | classmethod):
                    value = value.__func__
                if isinstance(value, cached_property):
                    value = property(value.func)  # documented like a property
                if inspect.isfunction(value) or isinstance(value, property):
                    found[f"{qualified}.{attr}"] = value
    return found


PUBLIC = public_objects()


def _problems(name: str, obj: object) -> list[str]:
    if isinstance(obj, property):
        checks = PROPERTY_CHECKS
        # numpydoc loads names through getattr, which on a class gives the property object
        # (no __module__); its getter carries the docstring.
        result = validate(get_doc_object(obj.fget))
    else:
        checks = tuple(CHECKS)
        result = validate(name)
    waived = EXEMPT.get(name, {})
    return [f"{code} {message}" for code, message in result["errors"]
            if code in checks and code not in waived]


def test_the_walk_finds_the_public_api():
    # If the walk broke (an import error swallowed, a filter too strict) every other test here
    # would pass vacuously.
    for name in ("evalkit.data.validate.load", "evalkit.stats.proportions.rate_table",
                 "evalkit.data.dataset.Dataset", "evalkit.data.dataset.Dataset.attendance",
                 "evalkit.analyses._base.Analysis", "evalkit.errors.Problem.describe",
                 "evalkit.cli.main", "evalkit.progress.progress",
                 "evalkit.analyses._base.ordered_waves"):
        assert name in PUBLIC, name
    assert not [n for n in PUBLIC if n.rsplit(".", 1)[-1].startswith("_")]
    assert "evalkit.cli._cmd_report" not in PUBLIC
    assert len(PUBLIC) > 250


def test_exemptions_name_real_objects_and_checks():
    for name, codes in EXEMPT.items():
        assert name in PUBLIC, f"exemption for {name}, which is not public (remove it)"
        assert set(codes) <= set(CHECKS), name
        assert all(reason.strip() for reason in codes.values()), f"{name}: give the reason"


def test_public_api_has_numpydoc_docstrings():
    offenders = {}
    for name, obj in sorted(PUBLIC.items()):
        problems = _problems(name, obj)
        if problems:
            offenders[name] = problems
    report = "\n".join(f"{name}: {'; '.join(problems)}" for name, problems in offenders.items())
    assert not offenders, f"{len(offenders)} public objects break the docstring rules:\n{report}"


def test_public_functions_have_type_hints():
    offenders = []
    for name, obj in sorted(PUBLIC.items()):
        function = obj.fget if isinstance(obj, property) else obj
        if inspect.isclass(function):
            continue  # a class's parameters are its __init__'s (dataclass fields are typed)
        signature = inspect.signature(function)
        missing = [p for p, param in signature.parameters.items()
                   if p not in ("self", "cls") and param.annotation is inspect.Parameter.empty]
        if signature.return_annotation is inspect.Signature.empty:
            missing.append("return")
        if missing:
            offenders.append(f"{name}: {', '.join(missing)}")
    assert not offenders, (f"{len(offenders)} public functions lack type hints:\n"
                           + "\n".join(offenders))


def test_class_constructors_are_typed():
    offenders = []
    for name, obj in sorted(PUBLIC.items()):
        # Classes that write (or have dataclass write) their own __init__; the rest inherit it.
        if not inspect.isclass(obj) or "__init__" not in vars(obj):
            continue
        signature = inspect.signature(obj.__init__)
        missing = [p for p, param in signature.parameters.items()
                   if p != "self" and param.annotation is inspect.Parameter.empty]
        if missing:
            offenders.append(f"{name}: {', '.join(missing)}")
    assert not offenders, "\n".join(offenders)


_SOURCES = sorted((ROOT / "src" / "evalkit").rglob("*.py"))


@pytest.mark.parametrize("path", _SOURCES, ids=lambda p: str(p.relative_to(ROOT / "src")))
def test_code_cites_the_repository_docs_only(path):
    text = path.read_text(encoding="utf-8")
    assert "DESIGN.md" not in text, f"{path.name}: cite docs/methods.md#<anchor>, not DESIGN.md"
    anchors = _method_anchors()
    cited = set(re.findall(r"docs/methods\.md#([A-Za-z0-9_-]+)", text))
    assert cited <= anchors, f"{path.name} cites missing anchors {sorted(cited - anchors)}"


def _method_anchors() -> set[str]:
    # GitHub's rule: lower case, drop punctuation other than hyphens and spaces, spaces to
    # hyphens. methods.md uses no heading twice, so no -1 suffixes arise.
    anchors = set()
    for line in (ROOT / "docs" / "methods.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"#{2,6}\s+(.*)", line)
        if match:
            text = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


def test_anchor_rule_matches_the_table_in_methods_md():
    # The table at the top of methods.md lists the section anchors by hand: they must be the
    # ones the headings produce, or citations checked above could be checked against a wrong set.
    listed = set(re.findall(r"\| `#([a-z0-9-]+)` \|",
                            (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")))
    assert listed and listed <= _method_anchors()
