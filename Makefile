# tinygrad_edu: the course's commands. Learners need only `make lab`; CI runs `make test`.
# The setup logic lives in tools/setup.sh, the test logic in tools/test.sh.

VENV := .venv
PY   := $(VENV)/bin/python

# Open the first lesson when it exists, else the README.
START := $(firstword $(wildcard notebooks/00_*.ipynb) README.md)
# Jupyter refuses to run as root unless told it is on purpose (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test setup bench exercises strip clean distclean

## setup: .venv with the package (editable) + dev tools, and graphviz's `dot`
setup:
	@bash tools/setup.sh

## lab: start JupyterLab on the course
lab: setup
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=. $(START)

## test: every test (tests/ and all notebooks)
test:
	@bash tools/setup.sh --browser
	@bash tools/test.sh

## bench: the benchmarks
bench: setup
	@if [ -f bench/run_all.py ]; then \
		MPLBACKEND=Agg $(PY) bench/run_all.py; \
	else \
		echo "bench/run_all.py does not exist yet"; \
	fi

## exercises: build exercises/ (student notebooks) from solutions/
exercises: setup
	$(VENV)/bin/tinygrad-edu build-exercises

## strip: remove outputs and execution counts from every notebook
strip: setup
	$(PY) tools/strip_notebooks.py

## clean: remove caches and build outputs (keeps .venv)
clean:
	rm -rf build dist .pytest_cache .ruff_cache .hypothesis artifacts
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	find . -path ./$(VENV) -prune -o -name '*.egg-info' -type d -exec rm -rf {} +
	find . -path ./$(VENV) -prune -o -name .ipynb_checkpoints -type d -exec rm -rf {} +

## distclean: clean, and remove .venv too
distclean: clean
	rm -rf $(VENV)
