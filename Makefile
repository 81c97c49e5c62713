# Run/test tooling of the charge addon pack; all logic lives in scripts/ops
# (python3 -m scripts.ops --help). Run from the repository root.
PYTHON ?= python3
OPS = $(PYTHON) -m scripts.ops

.PHONY: help setup run test bench stop clean

help:
	@$(OPS) --help

setup:
	@$(OPS) setup

run:
	@$(OPS) run

test:
	@$(OPS) test

bench:
	@$(OPS) bench

stop:
	@$(OPS) stop

clean:
	@$(OPS) clean
