# Convenience targets; the README's two commands are the same scripts.
PY := .venv/bin/python

.PHONY: venv data demo test
venv:
	bash tools/setup_env.sh
data: venv
	$(PY) tools/prepare_demo_data.py
demo:
	bash tools/run_demo.sh
test:
	bash tools/run_tests.sh
