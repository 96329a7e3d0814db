# The two commands of the README.
.PHONY: setup demo test bench bench-quick

setup:
	@scripts/setup.sh

demo: setup
	.venv/bin/nianbao demo

test: setup
	.venv/bin/python -m pytest

bench: setup
	.venv/bin/python bench/run_all.py

bench-quick: setup
	.venv/bin/python bench/run_all.py --quick
