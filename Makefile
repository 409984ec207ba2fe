# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench bootstrap migrate lint clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

bootstrap: $(VENV)/.installed
	mkdir -p var

migrate: bootstrap
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/honcho start $(if $(REDIS_URL),web worker beat flower,)

test: bootstrap
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: bootstrap
	$(PY) -m bench

lint: bootstrap
	$(VENV)/bin/ruff check .

clean:
	rm -rf var/test.sqlite3* var/test-logs
