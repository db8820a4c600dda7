# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install chromium dovecot run test test-pg bench translations messages clean

# The virtualenv, the project (editable, with test extras), the entry-point
# fixture add-on the tests rely on, and compiled translations.
$(STAMP): setup.cfg Makefile tests/fixtures/ep_addon/setup.cfg
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet ./tests/fixtures/ep_addon
	touch $(STAMP)

install: $(STAMP) translations chromium dovecot

# The browser tests drive Debian's chromium (never a downloaded browser build).
chromium:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y --no-install-recommends chromium)

# The incoming-mail tests start Debian's dovecot themselves (own config in a temp folder, loopback only);
# the package's system service is not used.
dovecot:
	@test -x /usr/sbin/dovecot || (apt-get update && apt-get install -y --no-install-recommends dovecot-imapd)

translations: $(STAMP)
	@for dir in core/translations addons/*/translations; do \
	  if [ -d "$$dir" ]; then $(BIN)/pybabel compile -d "$$dir" >/dev/null || exit 1; fi; \
	done

# Extract the strings of the core, the theme and the bundled add-ons into
# core/translations/messages.pot and merge them into every language's messages.po.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -o core/translations/messages.pot .
	@for po in core/translations/*/LC_MESSAGES/messages.po; do \
	  lang=$$(basename $$(dirname $$(dirname $$po))); \
	  $(BIN)/pybabel update -i core/translations/messages.pot -d core/translations -l $$lang || exit 1; \
	done

# SQLite database in instance/ with demo data, served on 127.0.0.1:5000.
run: install
	$(BIN)/flowcase demo
	SESSION_COOKIE_SECURE=0 REMEMBER_COOKIE_SECURE=0 $(BIN)/flowcase run --host $(HOST) --port $(PORT)

# Every test. FLOWCASE_TEST_DATABASE_URL=postgresql+psycopg://... runs them on PostgreSQL.
test: install
	$(BIN)/pytest -n 2 -q

# A quick check by default; the full run: make bench BENCH_ARGS="--scale 100000 --json bench.json"
BENCH_ARGS ?= --scale 1000 --repeat 10
bench: install
	$(BIN)/flowcase bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.egg-info
