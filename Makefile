# The two set-up commands of the README: `make run` starts the app, `make test` runs every test.
# Each creates the virtual environment and installs what it needs on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# System tools the test suite reads PDFs back with (pdftotext, pdftoppm, pdfinfo, pdffonts).
SYSTEM_TEST_TOOLS := pdftotext pdftoppm pdfinfo pdffonts

.PHONY: run test benchmarks bundle lint clean system-test-tools qt-system-libs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the dependency list changes; llama-cpp-python compiles once (~6 min on 2 cores), then pip's cache serves it.
$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	touch $@ $(VENV)/.installed-app

run: $(VENV)/.installed-app qt-system-libs
	$(BIN)/specialist-studio $(ARGS)

# Qt's X11 plugin needs libxcb-cursor0 and other xcb libraries a minimal Debian/Ubuntu lacks:
# installed when root (like the test tools), else the one apt-get command is printed.
qt-system-libs: $(VENV)/.installed-app
	@bash packaging/qt-system-libs.sh $(BIN)/python

system-test-tools:
	@missing=""; for tool in $(SYSTEM_TEST_TOOLS); do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q poppler-utils; \
	  else \
	    echo "The PDF tests need poppler-utils (missing:$$missing): sudo apt-get install poppler-utils" >&2; exit 1; \
	  fi; \
	fi

test: $(VENV)/.installed-test system-test-tools
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check app tests
	$(BIN)/ruff format --check app tests
	$(BIN)/mypy
	$(BIN)/lint-imports

benchmarks: $(VENV)/.installed-test
	for script in tests/benchmarks/bench_*.py; do echo "== $$script"; QT_QPA_PLATFORM=offscreen $(BIN)/python $$script || exit 1; done

bundle:
	bash packaging/build.sh

clean:
	rm -rf $(VENV) build dist packaging/build packaging/dist
