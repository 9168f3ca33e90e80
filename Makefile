# `make run` and `make test` work on a fresh clone: each installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR := $(or $(MENTORSPACE_DATA_DIR),./data)
# Two workers (most tests wait on sockets and a browser); worksteal evens out the long ones.
PYTEST_ARGS := -n 2 --dist worksteal
# The suite starts a few hundred Python processes (the command line, servers, benchmarks); where
# PYTHONDONTWRITEBYTECODE is set each would compile our 200 modules again (0.5 s apiece), so
# they are compiled once first (compileall writes whatever that setting says).
COMPILE := $(BIN)/python -m compileall -q -j 0 server channels storage scripts tests

.PHONY: run test test-postgres install browser lint format bench clean repeat-tests translations

run: install
	@if [ ! -e "$(DATA_DIR)/mentorspace.sqlite3" ]; then \
		$(BIN)/mentorspace demo --data-dir "$(DATA_DIR)"; fi
	$(BIN)/mentorspace serve --data-dir "$(DATA_DIR)"

test: install browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	cd web && npx eslint .
	cd web && node --test
	$(COMPILE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite on PostgreSQL (tests/databases.py): a database per test on MENTORSPACE_TEST_POSTGRES_URL
# (default 127.0.0.1:5432, database `test`, trust auth), dropped after it.  CI (.ci/run) runs it
# after `make test`; kept apart so that `make test` needs no PostgreSQL on a new machine.
test-postgres: install browser
	$(COMPILE)
	MENTORSPACE_TEST_DATABASE=postgresql $(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed web/node_modules/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,redis,s3]"
	touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests drive Debian's Chromium (with an emoji font, so screenshots show reactions);
# install them where missing (needs root, as in CI).
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; } || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core fonts-noto-color-emoji; \
		else echo "Chromium is missing: browser tests will be skipped (run 'sudo apt-get install chromium')."; fi; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python scripts/bench.py --clients 50 --senders 1 --messages 4000 --rate 200
	$(BIN)/python scripts/bench.py --clients 10 --senders 10 --messages 10000 --rate 0

clean:
	rm -rf $(VENV) web/node_modules build *.egg-info

# Run the whole suite N times and list every test that failed at least once: make repeat-tests N=20
N ?= 20
repeat-tests: install browser
	$(COMPILE)
	$(BIN)/python scripts/repeat_tests.py $(N) $(PYTEST_ARGS)

# After changing the interface's words: gather them, and add the new ones to each catalogue
# (web/translations/LANG/LC_MESSAGES/messages.po) for a translator; tests/test_translations.py
# fails until every one is translated.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --omit-header -o web/translations/messages.pot .
	$(BIN)/pybabel update --width 100 -i web/translations/messages.pot -d web/translations --ignore-obsolete --no-fuzzy-matching
