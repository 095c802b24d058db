# Every target that needs Python builds .venv from constraints.txt first (once).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Deterministic notebook outputs: fixed hashing, no progress bars, stable cell file names.
export PYTHONHASHSEED := 0
export TQDM_DISABLE := 1
export IPYKERNEL_CELL_NAME := <cell>
export MPLBACKEND := Agg

.PHONY: venv report test lab bench notebooks datadict sample lint constraints clean

venv: $(STAMP)

$(STAMP): constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	PIP_CONSTRAINT=constraints.txt $(BIN)/python -m pip install --quiet --upgrade pip setuptools
	PIP_CONSTRAINT=constraints.txt $(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Render the report on the synthetic sample into reports/sample/.
report: $(STAMP)
	$(BIN)/evalkit report data/sample --out reports/sample

## Run every test: unit tests and the notebooks under nbval (strict).
test: $(STAMP)
	$(BIN)/python -m pytest

## Open the workbook in JupyterLab.
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

## Speed and memory figures (prints ratios against references).
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

## Re-execute the committed notebooks on data/sample (the one way to refresh their outputs).
notebooks: $(STAMP)
	$(BIN)/python -m evalkit.publish.notebooks execute-in-place notebooks/*.ipynb

## Regenerate the synthetic sample and the data dictionary.
sample: $(STAMP)
	$(BIN)/evalkit synth --out data/sample --seed 2026

datadict: $(STAMP)
	$(BIN)/python -m evalkit.data.datadict docs/data-dictionary.md

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

## Re-pin: resolve the newest versions allowed by pyproject.toml into constraints.txt.
constraints:
	rm -rf .venv-pin && $(PYTHON) -m venv .venv-pin
	.venv-pin/bin/python -m pip install --quiet --upgrade pip setuptools
	.venv-pin/bin/python -m pip install --quiet -e ".[dev]"
	.venv-pin/bin/python tools/pins.py freeze
	rm -rf .venv-pin

clean:
	rm -rf $(VENV) reports build src/*.egg-info
