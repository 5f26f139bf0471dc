# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
MS     := $(VENV)/bin/minsheng
STAMP  := $(VENV)/.installed-stamp

.PHONY: install models run test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml setup.py pipeline/_kernels.pyx
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	# numpy and Cython first: `pip download --no-build-isolation pkuseg` needs them
	$(PY) -m pip install --quiet numpy==2.4.6 Cython
	$(PY) -m pip install --quiet -e '.[test,bench,parquet]'
	touch $(STAMP)

models: install
	$(MS) models fetch

run: models
	$(MS) run pipeline/configs/default.cfg

test: models
	$(PY) -m pytest -q tests

bench: models
	$(MS) bench nlp
	$(MS) bench domains
	$(MS) bench read
	$(MS) bench run

clean:
	rm -rf $(VENV) runs .pytest_cache
