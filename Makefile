# perfkit: every target works from a fresh clone; the first run creates .venv.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
#: Older Django releases, each in an environment of its own. Django goes in first, as a
#: project already has it; installing perfkit must leave it as it was.
BIN42 := .venv-django42/bin
BIN50 := .venv-django50/bin
DJANGO_42 := 4.2
DJANGO_50 := 5.0

.PHONY: bench test test-django42 test-django50 lint format benchmarks benchmarks-gate stack-deps clean

$(BIN)/perfkit: setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

bench: $(BIN)/perfkit  ## the main job: perfkit bench on the bundled demo site
	$(BIN)/perfkit bench

test: $(BIN)/perfkit  ## the test suite (needs PostgreSQL, MariaDB and Redis running)
	$(BIN)/pytest

.venv-django%/bin/perfkit: setup.py
	test -x $(@D)/python || $(PYTHON) -m venv .venv-django$*
	$(@D)/python -m pip install -q --upgrade pip
	$(@D)/python -m pip install -q 'Django==$(DJANGO_$*).*'
	$(@D)/python -m pip install -q -e '.[dev]'
	$(@D)/python -c "import django, sys; v = django.get_version(); \
		sys.exit(0 if v.startswith('$(DJANGO_$*).') else 'installing perfkit changed Django to ' + v)"
	touch $@

test-django42: $(BIN42)/perfkit  ## the suite on Django 4.2, but for the tiers (browser, stack, load, latency) make test covers
	$(BIN42)/pytest --ignore=tests/browser --ignore=tests/stack --ignore=tests/load --ignore=tests/latency

test-django50: $(BIN50)/perfkit  ## the bench tests on Django 5.0, installed before perfkit
	$(BIN50)/pytest tests/bench tests/commands/test_bench.py

lint: $(BIN)/perfkit
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(BIN)/perfkit
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

benchmarks: $(BIN)/perfkit  ## perfkit's own overhead, as ratios against bare Django
	$(BIN)/pytest benchmarks -p no:django -W ignore::pytest.PytestConfigWarning \
		--benchmark-columns=median,iqr,rounds --benchmark-min-time=0.5

stack-deps:  ## the system packages of the stack, the browser tests and the load benchmark (Debian, as root)
	apt-get update -q
	apt-get install -y -q --no-install-recommends nginx pgbouncer memcached redis-server \
		postgresql chromium wrk

clean:
	rm -rf $(VENV) .venv-django42 .venv-django50 perfkit-report *.egg-info

benchmarks-gate: $(BIN)/perfkit  ## perfkit gates its own speed: fail when a hot path is >15% slower than the last saved run
	$(BIN)/pytest benchmarks -p no:django -W ignore::pytest.PytestConfigWarning \
		--benchmark-min-time=0.5 --benchmark-autosave \
		$$(ls .benchmarks/*/*.json >/dev/null 2>&1 && echo --benchmark-compare --benchmark-compare-fail=median:15%)
