# partybuild: `make run` serves the demo portal, `make test` runs the whole suite.
# Everything installs into .venv and node_modules on first use; nothing is needed beyond
# Python 3 and Node.js (for the front-end packages the portal serves itself).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# `make run PORT=8001`: the server and the URL the demo logins print both use it.
PORT ?= 8000

.PHONY: run test install assets translations migrate demo lint format bench framework-doc worker beat wheel clean

run: install assets translations migrate demo
	@$(MANAGE) demo_logins 127.0.0.1:$(PORT)
	DJANGO_DEBUG=1 $(MANAGE) serve 127.0.0.1:$(PORT)

# Two workers, each with its own test database and Redis database (tests/parallel.py); a module
# stays on one worker, so a module's demo is seeded once. `make test WORKERS=0` runs in one process.
WORKERS ?= 2

test: install assets translations
	@$(PY) -m pytest $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --dist loadscope); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

translations: install
	@$(MANAGE) compile_translations

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) seed_demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/run.py

framework-doc: install
	$(PY) -m assessment.framework_doc assessment/data/framework.yaml > docs/framework.md

worker: install
	$(VENV)/bin/celery -A partybuild worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A partybuild beat --loglevel=info

# The package to install on servers (docs/operations.md): dist/partybuild-<version>-py3-none-any.whl,
# with the front-end files and the report font from node_modules inside.
wheel: install assets
	$(PY) -m pip wheel --no-deps -w dist .

clean:
	rm -rf $(VENV) node_modules staticfiles build dist
