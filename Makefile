# Twinning — one command to serve, one to test. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Django 6 needs Python 3.12+; the machine's default python3 may be older.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3; do \
	for c in $$(command -v $$p) $$(PYENV_VERSION=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[2-9]' | tail -1) pyenv which $$p 2>/dev/null); do \
	  if $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo $$c; exit 0; fi; \
	done; done)

.PHONY: run test lint format bench seed venv messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.12 or newer is needed (Django 6). Install python3.12 (apt, pyenv or python.org) and run make again."; exit 1; fi
	@echo "Using $(PYTHON)"
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# Local development settings for manage.py commands; never overwrites an existing .env.
.env:
	@printf '# Local development (written by make; see .env.example for production).\nDJANGO_DEBUG=1\n' > .env
	@echo "Wrote .env (DJANGO_DEBUG=1) so that manage.py commands use development settings."

venv: $(VENV)/.installed .env

# Serve the site with demo content on the embedded defaults: SQLite, eager tasks, emails as files.
run: venv
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	@echo "Twinning is at http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/, demo@twinning.example / demo)"
	DJANGO_DEBUG=1 TWINNING_SITE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

seed: venv
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo

test: venv
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: venv
	$(PY) -m pytest tests/bench -p no:cacheprovider -o python_files='bench_*.py' -s $(PYTEST_ARGS)

messages: venv
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=twinning/demo --no-obsolete
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 media sent_emails .pytest_cache
