# The runbook's two commands:  `make run` (set up + one spoken turn on the default models)
# and `make test` (set up + the test suite). Both install what they need first.
PY := .venv/bin/python

.PHONY: setup run test test-fast bench
setup:
	./scripts/setup.sh

run: setup
	$(PY) -m vaani demo

test: setup
	$(PY) -m pytest -q

test-fast:
	$(PY) -m pytest -q -m "not slow"

bench: setup
	$(PY) -m vaani bench latency
