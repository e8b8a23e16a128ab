# mailsim — the two set-up commands are `make lab` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP_LAB  := $(VENV)/.installed-lab
STAMP_TEST := $(VENV)/.installed-test

.PHONY: lab voila demo test soak bench fuzz clean graphviz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

## The state diagrams are laid out by Graphviz's dot (a system program, not a pip package).
graphviz:
	@command -v dot >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y -qq graphviz || { apt-get update -qq && apt-get install -y -qq graphviz; }; \
	  else \
	    echo "mailsim needs Graphviz (dot): sudo apt-get install graphviz, brew install graphviz or conda install graphviz" >&2; exit 1; \
	  fi; }

$(STAMP_LAB): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[lab]'
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,lab,browser]'
	touch $@

## make lab: install (first time) and open the course in JupyterLab: notebooks/ is the root
## (ru/ and en/ in the file browser), the Russian index opens first
lab: $(STAMP_LAB) graphviz
	$(BIN)/mailsim lab --lang ru --notebooks notebooks

## make voila: the same notebooks as a code-free Voilà site for students
voila: $(STAMP_LAB) graphviz
	$(BIN)/mailsim lab --voila --lang ru --notebooks notebooks

## make demo: replay the default scenario in the terminal
demo: $(STAMP_TEST)
	$(BIN)/mailsim replay basic --all

## make test: install (first time) and run the whole test suite
test: $(STAMP_TEST) graphviz
	$(BIN)/python -m pytest

## make soak: each browser test 10 times in a row while the rest of the suite runs alongside
soak: $(STAMP_TEST) graphviz
	PYTHON=$(BIN)/python tests/browser/soak.sh 10

## make bench: the four speed ratios of issue 16 against their anchors (aiosmtpd, Dovecot,
## smtplib→aiosmtpd, widget targets), the engines, and the soak of issue 17 (30 students for two
## simulated hours, the server's memory as it goes); minutes. `make bench QUICK=1`: seconds.
## The short-connection SMTP load is Postfix's smtp-source when installed (Debian: preseed
## "postfix postfix/main_mailer_type select No configuration" with debconf-set-selections, then
## apt-get install postfix: nothing is configured or started), else a Python generator.
bench: $(STAMP_TEST)
	$(BIN)/python -m benchmarks $(if $(QUICK),--quick)

## make fuzz: fuzz every port of mailsim serve, ports in parallel (SEED=n MINUTES=m per port)
SEED    ?=
MINUTES ?= 10
fuzz: $(STAMP_TEST)
	$(BIN)/python -m fuzz $(if $(SEED),--seed $(SEED)) --minutes $(MINUTES)

clean:
	rm -rf $(VENV) build *.egg-info
