# Run/test tooling of the charge addon pack; all logic lives in scripts/ops
# (python3 -m scripts.ops --help). Run from the repository root.
PYTHON ?= python3
OPS = $(PYTHON) -m scripts.ops

.PHONY: help setup run test stop clean

help:
	@$(OPS) --help

setup:
	@$(OPS) setup

run:
	@$(OPS) run

test:
	@$(OPS) test

stop:
	@$(OPS) stop

clean:
	@$(OPS) clean
