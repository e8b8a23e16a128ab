# mailsim — the two set-up commands are `make lab` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP_LAB  := $(VENV)/.installed-lab
STAMP_TEST := $(VENV)/.installed-test

.PHONY: lab voila demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_LAB): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[lab]'
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,lab,browser]'
	touch $@

## make lab: install (first time) and open the course in JupyterLab: notebooks/ is the root
## (ru/ and en/ in the file browser), the Russian index opens first
lab: $(STAMP_LAB)
	$(BIN)/mailsim lab --lang ru --notebooks notebooks

## make voila: the same notebooks as a code-free Voilà site for students
voila: $(STAMP_LAB)
	$(BIN)/mailsim lab --voila --lang ru --notebooks notebooks

## make demo: replay the default scenario in the terminal
demo: $(STAMP_TEST)
	$(BIN)/mailsim replay basic --all

## make test: install (first time) and run the whole test suite
test: $(STAMP_TEST)
	$(BIN)/python -m pytest

## make bench: the four speed ratios of issue 16 against their anchors (aiosmtpd, Dovecot,
## smtplib→aiosmtpd, widget targets) and the engines; a few minutes. `make bench QUICK=1`: seconds.
bench: $(STAMP_TEST)
	$(BIN)/python -m benchmarks $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) build *.egg-info
