# perfcalc — see README.md. Every target installs what it needs from a fresh clone.
PYTHON ?= python3
PORT   ?= 8000
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE   := node_modules/.installed
export NO_MKDOCS_2_WARNING := 1
# The build's date is the last commit's, so the same sources give a byte-identical public/
# (MkDocs dates the sitemap and stamps its gzip with it).
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1700000000)

.PHONY: serve build build-zensical test check coverage bench browser lab clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,site,browser,lab]'
	touch $@

# `npm ci`: exactly the committed lock, which lists every platform's optional
# binaries (rollup's among them), so installing never rewrites it and a fresh
# clone stays clean after `make build`.
$(NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Either engine renders the Markdown (the calculator fences included); the bundle
# step then adds the runtime, the browser's Python and the service worker.
build: $(STAMP) $(NODE)
	$(BIN)/mkdocs build
	$(BIN)/python -m perfcalc_site.bundle public

# The same guide with Zensical, into public-zensical/ (-c: no stale cached pages).
build-zensical: $(STAMP) $(NODE)
	$(BIN)/zensical build -c -f zensical.yml
	$(BIN)/python -m perfcalc_site.bundle public-zensical

serve: build
	@echo "Serving public/ at http://127.0.0.1:$(PORT)/"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory public

# Browser tests use Debian's Chromium (Playwright cannot download browsers on
# these machines); elsewhere, Playwright's own Chromium.
browser: $(STAMP)
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq chromium; \
	else \
		$(BIN)/python -m playwright install chromium; \
	fi

# Both sites built first, side by side (they write to separate folders), then the whole suite in
# TEST_WORKERS pytest-xdist workers: 3 on a 2-core machine, because the lab's tests and the browser
# tests wait on other processes part of the time (measured: 2 workers left 12 % of the CPU idle and
# took 656 s, 3 workers 4 % and 583 s). The browser tests use these builds (PERFCALC_BUILT_SITE,
# PERFCALC_BUILT_ZENSICAL_SITE) instead of building their own; run without them, they build each site
# once for the run. Tests go to the workers one at a time (--maxschedchunk=1), longest first
# (tests/conftest.py), so neither worker is left running a long one alone at the end.
TEST_WORKERS ?= 3
test: $(STAMP) $(NODE) browser
	$(MAKE) -j2 --output-sync=target build build-zensical
	PERFCALC_BUILT_SITE=public PERFCALC_BUILT_ZENSICAL_SITE=public-zensical \
		$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxschedchunk=1

# The edit-test loop: unit, property, CLI and build tests and the doctests,
# without npm or a browser (tests/browser needs both). Neither runs the tests
# marked slow (pyproject.toml leaves them out): make coverage does.
check: $(STAMP)
	$(BIN)/python -m pytest --ignore=tests/browser -q

# The 95 % intervals of simulate's and stack's p99 over their whole claim (300 seeds a
# point, several minutes each), and the independent C reference rebuilt and rerun (needs gcc or cc).
coverage: $(STAMP)
	$(BIN)/python -m pytest -m slow tests/test_simulation_coverage.py tests/test_stack_coverage.py -q -s

# The browser half measures the built site in Chromium against baselines built in the same run.
bench: build browser
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/browser.py public
	$(BIN)/python benchmarks/analyze.py
	$(BIN)/python benchmarks/compare.py

# The guide's "Do the models hold?" page renders docs/lab-results.json: every scenario of
# `perfcalc lab` (about 30 minutes). Run it on a quiet machine: the page shows how late the
# generator was, and a busy machine makes the runs not count. Raw files go to lab-results/.
# Where the system allows it (root, or CAP_SYS_NICE), the lab runs at real-time priority (chrt -f 10), so
# other work on the machine does not delay it; otherwise at normal priority. The results file records which.
LAB_PRIORITY := $(shell chrt -f 10 true 2>/dev/null && echo chrt -f 10)
lab: $(STAMP)
	$(LAB_PRIORITY) $(BIN)/python -m perfcalc lab --json --out lab-results > docs/lab-results.json.new
	mv docs/lab-results.json.new docs/lab-results.json

clean:
	rm -rf $(VENV) node_modules public public-zensical .cache build *.egg-info .pytest_cache .hypothesis .screenshots lab-results perfcalc-lab-*
