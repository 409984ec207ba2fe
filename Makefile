# Two commands on a fresh machine (Python 3.11 and make, nothing else):
#   make run    install, migrate, seed demo data, start everything (Ctrl-C stops it)
#   make test   install, run the test suite (PYTEST_ARGS="-x -k name" to narrow it)
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Procfile processes; the embedded Valkey only when no external broker is given.
PROCESSES := $(if $(REDIS_URL),web worker urgent beat flower,)

.DEFAULT_GOAL := help
.PHONY: help run test bench fuzz bootstrap migrate lint format lock clean

help:
	@echo "make run     start web (127.0.0.1:8000), worker, beat, Flower (127.0.0.1:5555); demo login demo/demo"
	@echo "make test    run the test suite (PYTEST_ARGS=... passes options to pytest)"
	@echo "make bench   run the benchmarks (BENCH=name for one)"
	@echo "make lint    ruff + missing-migrations check"
	@echo "make fuzz    schemathesis over /api/schema/ against a live server (FUZZ_EXAMPLES=50)"
	@echo "make lock    re-pin requirements*.txt into requirements*.lock (exact versions + hashes)"

# The stamp is written only after a complete install, and the install is
# redone when a requirements file changes or the venv is not a working 3.11
# (checked on every run: a moved or upgraded interpreter breaks a venv).
ifneq ($(shell $(PY) -c 'import sys; print(sys.version_info[:2] == (3, 11))' 2>/dev/null),True)
$(shell rm -f $(STAMP))
endif
$(STAMP): requirements.lock requirements-dev.lock
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
	  command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required: install it or pass PYTHON=/path/to/python3.11" >&2; exit 1; }; \
	  echo "Creating $(VENV) with $(PYTHON)"; \
	  $(PYTHON) -m venv --clear $(VENV); }
	@rm -f $@
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@# exactly the lock: uninstall what it no longer lists (a package dropped from requirements*.txt)
	$(VENV)/bin/pip-sync --quiet --pip-args "--disable-pip-version-check" requirements-dev.lock
	@touch $@

bootstrap: $(STAMP)
	@mkdir -p var/static

migrate: bootstrap
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Web http://127.0.0.1:$(or $(WEB_PORT),8000) (demo/demo), Flower http://127.0.0.1:$(or $(FLOWER_PORT),5555), API docs /api/docs/"
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" VIRTUAL_ENV="$(CURDIR)/$(VENV)" $(VENV)/bin/honcho start $(PROCESSES)

test: bootstrap
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: bootstrap
	$(PY) -m bench $(BENCH)

# The suite runs a short schemathesis pass; this one runs every phase with more examples.
fuzz: bootstrap
	FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),50) FUZZ_PHASES=examples,coverage,fuzzing,stateful \
	  $(VENV)/bin/pytest tests/config/test_fuzz.py -q -s $(PYTEST_ARGS)

# The locks pin every package (transitive ones too) with hashes; requirements*.txt
# stay the human-edited lists. Rerun after editing them: versions already locked are
# kept unless requirements*.txt changed them (LOCK_ARGS=--upgrade moves everything).
# The dev lock is constrained by the runtime lock, so both agree on shared packages.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-trusted-host --no-emit-find-links $(LOCK_ARGS)
lock:
	@test -x $(VENV)/bin/pip-compile || $(MAKE) bootstrap
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt

lint: bootstrap
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

format: bootstrap
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var/test.sqlite3* var/test-logs var/bench.sqlite3*
