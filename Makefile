# The two commands a newcomer needs: `make demo` and `make test`. Everything else is setup they run.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench messages clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m dashboard.demo

test: lint
	$(PY) -m pytest
	@# The tests of SQLite itself (its write lock) skip on PostgreSQL (CI): run them on SQLite too.
	if [ -n "$$DATABASE_URL" ]; then DATABASE_URL= $(PY) -m pytest -m sqlite; fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# After changing any text a person reads: extract, translate the new entries of
# locale/zh_Hans/LC_MESSAGES/django.po, run again to compile (needs GNU gettext).
messages: $(STAMP)
	$(PY) -m dashboard.catalog

bench: $(STAMP)
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .demo
