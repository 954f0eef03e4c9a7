# Two commands for a fresh Debian bookworm machine (as root): `make run` and `make test`.
# `make setup` is idempotent: each step runs only when its result is missing or out of date.
# `make docs` builds the documentation site into site/ (offline; warnings are errors).

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# meep jobs run under Debian's python3, whose meep imports matplotlib and h5py undeclared.
APT_PACKAGES := python3-meep python3-matplotlib python3-h5py python3-venv klayout chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# NO_MKDOCS_2_WARNING silences Material for MkDocs' notice about MkDocs 2.
MKDOCS_BUILD := NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

.PHONY: setup apt-packages run test docs lint bench clean

# A venv made by an older setup sees Debian's packages (meep with numpy 1.x): make it anew.
setup:
	@if grep -qs '^include-system-site-packages = true' $(VENV)/pyvenv.cfg; then \
	  echo "recreating $(VENV) without Debian's packages"; rm -rf $(VENV); fi
	@$(MAKE) --no-print-directory $(STAMP)

apt-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/bin/python: | apt-packages
	/usr/bin/python3 -m venv $(VENV)

$(STAMP): pyproject.toml setup.py | $(VENV)/bin/python
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: setup
	$(VENV)/bin/qkdchip run

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MKDOCS_BUILD) --quiet
	$(PY) -m pytest -q -n auto --maxprocesses=4

docs: setup
	$(MKDOCS_BUILD)

lint: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build site *.egg-info
