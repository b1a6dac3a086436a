# One task runner: `make run` serves meetscout, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
JS := tests/feeds/js
BROWSER_JS := tests/browser/js
# Leaflet for the search page's map, from npm, served by meetscout itself (no CDN).
ASSETS := service/web/assets
LEAFLET := service/web/static/vendor/leaflet

.PHONY: setup run test lint bench lock clean vendor

setup: $(VENV)/.installed $(JS)/node_modules/.installed $(BROWSER_JS)/node_modules/.installed \
	$(ASSETS)/node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "meetscout needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(JS)/node_modules/.installed: $(JS)/package.json $(JS)/package-lock.json
	@if command -v npm >/dev/null; then cd $(JS) && npm ci --silent --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: the ical.js feed checks will be skipped"; fi

$(BROWSER_JS)/node_modules/.installed: $(BROWSER_JS)/package.json $(BROWSER_JS)/package-lock.json
	@if command -v npm >/dev/null; then cd $(BROWSER_JS) && npm ci --silent --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: the browser accessibility checks will be skipped"; fi

# The bundled sources are a recording of 2026-08-22, 02:23 UTC (data/snapshot/README.md):
# `make run` replays it at that moment. With your own MEETSCOUT_SOURCES, the real clock.
RECORDING_AT := 2026-08-22T02:23:29Z
run: $(VENV)/.installed
	$(if $(MEETSCOUT_SOURCES),,MEETSCOUT_REPLAY_AT=$(RECORDING_AT)) $(BIN)/meetscout up

# The whole suite, then what reads and writes dates again under a far-off system time zone
# (not the crawls' plumbing: processes, queues, hosts, guards, discovery); one worker more
# than the cores (crawl, kill and browser tests wait on other processes much of their time:
# 634 s against 664 s with two workers on two cores), each test file kept on one worker.
WORKERS := $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PYTEST := $(BIN)/python -m pytest -n $(WORKERS) --dist loadfile
NOT_DATES := discover test_spread.py test_standalone.py test_guard.py test_hosts.py \
	test_politeness.py test_runner.py test_curation_crawl.py test_tribe_api.py
test: setup
	$(PYTEST)
	TZ=Pacific/Chatham $(PYTEST) -q -p no:cacheprovider $(NOT_DATES:%=--ignore=tests/crawlers/%) \
		tests/crawlers tests/feeds tests/service/store/test_store.py

# Style, types and the import contracts of pyproject.toml (ARCHITECTURE.md says why).
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy service crawlers feeds
	$(BIN)/lint-imports --no-cache

# npm's Leaflet, for the test that the vendored copy is npm's own.
$(ASSETS)/node_modules/.installed: $(ASSETS)/package.json $(ASSETS)/package-lock.json
	@if command -v npm >/dev/null; then cd $(ASSETS) && npm ci --silent --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: the check of the vendored Leaflet will be skipped"; fi

vendor: $(ASSETS)/node_modules/.installed
	mkdir -p $(LEAFLET)/images
	cp $(ASSETS)/node_modules/leaflet/dist/leaflet.js $(ASSETS)/node_modules/leaflet/dist/leaflet.css $(LEAFLET)/
	cp $(ASSETS)/node_modules/leaflet/dist/images/*.png $(LEAFLET)/images/
	cp $(ASSETS)/node_modules/leaflet/LICENSE $(LEAFLET)/LICENSE

bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks

lock: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 --no-header -q -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra test --extra model -c requirements.lock \
		--python-version 3.11 --no-header -q -o requirements-model.lock

clean:
	rm -rf $(VENV) var .pytest_cache $(JS)/node_modules $(BROWSER_JS)/node_modules $(ASSETS)/node_modules test-output
