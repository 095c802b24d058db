# Every target that needs Python builds .venv from the exact pins in constraints.txt first.
# `make report` installs only what the report needs; `make test`, `lab`, `bench` and `notebooks`
# add the developer tools (JupyterLab, pytest, nbval, DuckDB, ruff, hypothesis) on top.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := PIP_CONSTRAINT=constraints.txt $(BIN)/python -m pip install --disable-pip-version-check
REPORT_STAMP := $(VENV)/.installed-report
DEV_STAMP    := $(VENV)/.installed-dev

.PHONY: venv report test lab bench notebooks datadict sample lint constraints clean

venv: $(REPORT_STAMP)

$(REPORT_STAMP): constraints.txt pyproject.toml
	@test -x $(BIN)/python || echo "First-time setup: installing evalkit and what the report needs into .venv (about 1-3 minutes)."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) --quiet --upgrade pip setuptools
	@$(PIP) --progress-bar on -e ".[report]"
	@touch $@

$(DEV_STAMP): $(REPORT_STAMP)
	@echo "Adding the developer tools (JupyterLab, pytest, nbval, DuckDB, ruff; about 1-2 minutes the first time)."
	@$(PIP) --progress-bar on -e ".[dev]"
	@touch $@

## Render the report on the synthetic sample into reports/sample/.
report: $(REPORT_STAMP)
	$(BIN)/evalkit report data/sample --out reports/sample

## Run every test: unit tests and the notebooks under nbval (strict).
# One worker per core (pytest-xdist); --dist loadfile keeps each file on one worker, so a
# notebook's cells run in order in one kernel and a file's module fixtures are made once.
test: $(DEV_STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile

## Open the workbook in JupyterLab.
lab: $(DEV_STAMP)
	$(BIN)/jupyter lab notebooks/

## Speed and memory figures (prints ratios against references).
bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/run_all.py

## Re-execute the committed notebooks on data/sample (the one way to refresh their outputs).
notebooks: $(DEV_STAMP)
	$(BIN)/python -m evalkit.publish.notebooks execute-in-place notebooks/*.ipynb

## Regenerate the synthetic sample and the data dictionary.
sample: $(REPORT_STAMP)
	$(BIN)/evalkit synth --out data/sample --seed 2026

datadict: $(REPORT_STAMP)
	$(BIN)/python -m evalkit.data.datadict docs/data-dictionary.md

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks tools

## Re-pin: resolve the newest versions allowed by pyproject.toml into constraints.txt.
constraints:
	rm -rf .venv-pin && $(PYTHON) -m venv .venv-pin
	.venv-pin/bin/python -m pip install --quiet --upgrade pip setuptools
	.venv-pin/bin/python -m pip install --quiet -e ".[dev]"
	.venv-pin/bin/python tools/pins.py freeze
	rm -rf .venv-pin

clean:
	rm -rf $(VENV) reports build src/*.egg-info
