# Two commands for everyone: `make serve` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
# Two test workers on two cores: one torch thread each. With torch's default (a thread per
# core) the two workers fight over the cores: a tiny fit measured 0.18 s alone took 2 s.
export OMP_NUM_THREADS := 1
# Some machines (these CI machines among them) set PYTHONDONTWRITEBYTECODE=1, and then every
# Python process compiles every module it imports from source again (27 s instead of 10 s
# to import what the tests import, measured here). Setup leaves byte-compiling to the first
# import, which then writes the bytecode once for every later process.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup serve changelog test test-notebooks test-pages build check bench browser screenshots clean

setup: $(STAMP)

# The learner's package (.), the engine (engine/) and the contributors' tools (the `test`
# dependency group of pyproject.toml), installed by uv: `make setup` took 32 to 54 s over the measured runs,
# whether uv's cache was empty or full, where pip took 72 s here (pip resolved for 17 s, then
# unpacked one wheel at a time). uv reads no pip configuration, so
# the machine's pip find-links is passed on: these machines keep the CPU build of torch there
# (without it, torch==2.13.0 is PyPI's several-GB CUDA build, for uv as for pip). uv writes no
# bytecode: Python compiles each module on first import (see PYTHONDONTWRITEBYTECODE above).
FIND_LINKS = $(or $(PIP_FIND_LINKS),$(shell $(PYTHON) -m pip config get global.find-links 2>/dev/null))

$(STAMP): pyproject.toml engine/pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python $(foreach link,$(FIND_LINKS),--find-links $(link)) \
	  -c constraints.txt -e . -e ./engine --group test
	@# Compile what the tests and the build import now, in two processes (one per core), so
	@# that the two test workers do not both compile it at their start.
	$(BIN)/python -c "import torch, lightning, onnxscript, onnxruntime" & \
	$(BIN)/python -c "import sklearn.model_selection, pandas, matplotlib.pyplot, seaborn, wandb, \
	  mkdocs.commands.build, material, mkdocstrings_handlers.python, nbconvert, pytest, \
	  playwright.sync_api"; wait
	touch $(STAMP)

# --dirty: after the first build, a save rebuilds only the pages it changed (the pagerun
# plugin also counts a page's snippets and run record as its inputs); the navigation and
# search of other pages may lag until the next full build (`make build`).
serve: setup  ## set up, then serve the site at http://127.0.0.1:8000
	$(BIN)/mkdocs serve --dirty

test: setup  ## set up, then run lint, unit tests, every page and snippet, the strict build and browser tests
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/actionlint .github/workflows/ci.yml
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not browser and not notebooks"
	$(BIN)/mkdocs build --strict
	$(BIN)/python -m pytest -m browser tests/browser

test-notebooks: setup  ## run every chapter notebook top to bottom in a fresh kernel (nbclient)
	$(BIN)/python -m pytest -n 2 -m notebooks tests/notebooks

test-pages: setup  ## only the pages and snippets
	$(BIN)/python -m pytest -n 2 --dist loadfile docs snippets

build: setup
	$(BIN)/mkdocs build --strict

check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/actionlint .github/workflows/ci.yml

browser: build  ## build the site, then only the browser tests over it
	$(BIN)/python -m pytest -m browser tests/browser

screenshots: build  ## the browser tests, plus full-page screenshots of every page in screenshots/
	SCREENSHOTS=1 $(BIN)/python -m pytest -m browser tests/browser

bench: setup  ## print execution and build timings
	$(BIN)/python -m pagerun bench

.PHONY: editions pdf offline

# The PDF and the offline zip, next to the normal build in site/ (scripts/editions.py), then
# their tests (tests/editions, marker `editions`; `make test` skips them). Needs poppler-utils.
editions: build  ## build site/, then the PDF and the offline site into it, then test them
	$(BIN)/python scripts/editions.py all
	$(BIN)/python -m pytest -m editions tests/editions

pdf: setup  ## only the PDF: site/practical-deep-learning.pdf (site/ must be built)
	$(BIN)/python scripts/editions.py pdf

offline: setup  ## only the offline site: site/practical-deep-learning-offline.zip (site/ must be built)
	$(BIN)/python scripts/editions.py offline

changelog: setup  ## write CHANGELOG.md from the conventional commits (git-changelog)
	$(BIN)/git-changelog

clean:
	rm -rf site build .cache .pytest_cache
