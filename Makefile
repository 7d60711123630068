# Two commands on a fresh clone: `make generate` and `make test`. Each sets up .venv when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: generate test check bench vendor mypy clean

$(STAMP): pyproject.toml generated/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	$(PY) -m pip install -q --disable-pip-version-check -e ./generated
	touch $(STAMP)

generate: $(STAMP)
	$(PY) -m generator generate

check: $(STAMP)
	$(PY) -m generator check

mypy: $(STAMP)
	$(PY) -m mypy --strict generated/

test: $(STAMP)
	$(PY) -m generator check --full
	$(PY) -m pytest -q -n 2

bench: $(STAMP)
	$(PY) bench/run.py

vendor: $(STAMP)
	$(PY) -m generator vendor ../shared/seeds/000_b1b4cff988af5f48.txt -o spec/openapi.json

clean:
	rm -rf $(VENV)
