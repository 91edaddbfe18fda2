# One command to run the app, one to run the tests; each sets up .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: run test bench package clean

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(READY)

## Open the app on FILE, or on the bundled example map (installing the libraries Qt's
## window needs first, when run as root on Debian or Ubuntu).
run: $(READY)
	packaging/desktop-libraries.sh
	$(BIN)/vsmapper $(FILE)

## Run the test suite, the linter, the format check and the type checker. The slow tests
## (the desktop bundle, LibreOffice, a real browser) run in CI, or locally with SLOW=1.
test: $(READY)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(if $(or $(CI),$(SLOW)),,-m "not slow")
	$(BIN)/ruff check vsmapper tests benchmarks tools packaging
	$(BIN)/ruff format --check vsmapper tests benchmarks tools packaging
	$(BIN)/mypy

## Print speed figures against floors measured in the same run.
bench: $(READY)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks $(NAME)

## Build the desktop bundle dist/VSMapper/, which runs without Python (packaging/README.md).
package: $(READY)
	$(BIN)/python -c "import PyInstaller" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[package]"
	$(BIN)/python packaging/build.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
