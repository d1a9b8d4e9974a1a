# Bylos: `make run` serves, `make test` runs the whole suite. Both install what is missing first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := libreoffice-writer-nogui python3-uno python3-venv fonts-liberation2 \
	fonts-dejavu-core poppler-utils chromium
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres check setup system-deps lint bench clean screens document-pictures

run: setup
	$(VENV)/bin/bylos serve

# pytest exits 5 when it collected no test: that is a failure here, never a silent pass.
test: setup lint
	@$(MAKE) --no-print-directory test-sqlite

test-sqlite: setup
	@set +e; $(VENV)/bin/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest neįvykdė nė vieno testo" >&2; exit 1; fi; exit $$rc

# The database-facing tests again, against PostgreSQL (BYLOS_TEST_POSTGRES_URL).
test-postgres: setup
	@set +e; BYLOS_TEST_POSTGRES_URL=$${BYLOS_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	$(VENV)/bin/pytest -m db $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest neįvykdė nė vieno PostgreSQL testo" >&2; exit 1; fi; exit $$rc

# What CI runs: lint, then both suites side by side. A suite is one Python process that waits in
# turns on LibreOffice, SeaweedFS, PostgreSQL and a browser, so alone it leaves much of the two
# cores idle; together the two take less than one after the other. Each has its own temporary
# directory; the SQLite suite prints as it goes, the PostgreSQL suite's log is printed whole when
# it is done; both end with their slowest tests.
check: setup lint
	@set +e; logs=$$(mktemp -d /tmp/bylos-check.XXXXXX); \
	$(MAKE) --no-print-directory test-postgres PYTEST_ARGS="$(PYTEST_ARGS) --durations=15 --basetemp=$$logs/postgres" \
		> $$logs/postgres.log 2>&1 & postgres=$$!; \
	$(MAKE) --no-print-directory test-sqlite PYTEST_ARGS="$(PYTEST_ARGS) --durations=15 --basetemp=$$logs/sqlite"; \
	rs=$$?; wait $$postgres; rp=$$?; \
	echo "=== PostgreSQL: duomenų bazės testai (išėjimo kodas $$rp) ==="; cat $$logs/postgres.log; \
	echo "=== SQLite $$rs, PostgreSQL $$rp (0 = visi testai praėjo) ==="; \
	rm -rf $$logs; [ $$rs -eq 0 ] && [ $$rp -eq 0 ]

setup: system-deps $(VENV)/.installed .venv-uno/.installed

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Diegiami sistemos paketai: $$missing"; \
		if [ "$$(id -u)" != 0 ]; then echo "Reikia root teisių (arba sudo): apt-get install $$missing" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

.venv-uno/.installed: service/rendering/setup_uno.sh
	bash service/rendering/setup_uno.sh
	touch $@

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy service storage retention bench tests

# The README's screenshots (docs/screens/): only on request, never as a side effect of a test run.
screens: setup
	BYLOS_SCREENS=1 $(VENV)/bin/pytest -m browser tests/web/test_browser.py

bench: setup
	$(PY) -m bench

# Every kind issued at full size through the real service; first and last pages in docs/documents/.
document-pictures: setup
	$(PY) -m bench.document_pictures

clean:
	rm -rf $(VENV) .venv-uno
