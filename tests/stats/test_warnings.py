"""Library notices are silenced by module and category only, never by their text."""

from __future__ import annotations

import warnings

from evalkit.stats._warnings import quiet_library_warnings


def _raise(message, category, module):
    warnings.warn_explicit(message, category, f"{module}.py", 1, module=module)


def test_only_code_notices_from_the_named_library_are_silenced():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_library_warnings("pingouin"):
            _raise("DataFrame.applymap is deprecated", FutureWarning, "pingouin.parametric")
            _raise("old argument deprecated", DeprecationWarning, "pingouin")
            _raise("divide by zero", RuntimeWarning, "pingouin.parametric")
            _raise("this option is deprecated", FutureWarning, "evalkit.stats.groups")
            _raise("inplace keyword is deprecated", DeprecationWarning, "pingouinx")
    assert [(str(w.message), w.category) for w in caught] == [
        ("divide by zero", RuntimeWarning),
        ("this option is deprecated", FutureWarning),
        ("inplace keyword is deprecated", DeprecationWarning),
    ]


def test_filters_end_with_the_block():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_library_warnings("statsmodels"):
            pass
        _raise("x is deprecated", FutureWarning, "statsmodels.base")
    assert len(caught) == 1
