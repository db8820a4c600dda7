# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test test-pg bench translations clean

# The virtualenv, the project (editable, with test extras), the entry-point
# fixture add-on the tests rely on, and compiled translations.
$(STAMP): setup.cfg Makefile tests/fixtures/ep_addon/setup.cfg
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet ./tests/fixtures/ep_addon
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	@for dir in core/translations addons/*/translations; do \
	  if [ -d "$$dir" ]; then $(BIN)/pybabel compile -d "$$dir" >/dev/null || exit 1; fi; \
	done

# SQLite database in instance/ with demo data, served on 127.0.0.1:5000.
run: install
	$(BIN)/flowcase demo
	SESSION_COOKIE_SECURE=0 REMEMBER_COOKIE_SECURE=0 $(BIN)/flowcase run --host $(HOST) --port $(PORT)

# Every test. FLOWCASE_TEST_DATABASE_URL=postgresql+psycopg://... runs them on PostgreSQL.
test: install
	$(BIN)/pytest -n 2 -q

bench: install
	$(BIN)/flowcase bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.egg-info
