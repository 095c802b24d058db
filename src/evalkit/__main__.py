"""``python -m evalkit``: the same as the ``evalkit`` command."""

from .cli import main

if __name__ == "__main__":  # importing the module (docs tools, tests) runs nothing
    raise SystemExit(main())
