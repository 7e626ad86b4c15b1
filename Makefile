# Perspectives: `make run` starts the site with the sample archive; `make test` runs the suite.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# `make run` serves the site as readers meet it: DEBUG off, a secret key
# generated once for this checkout, static files through WhiteNoise; plain
# HTTP, since it runs on this machine (production turns HTTPS on).
SITE_ENV = DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_SECRET_KEY="$$(cat .secret_key)"
# Served as in production, by gunicorn with gunicorn.conf.py: no access log,
# only the application's request log, by route, never the address asked for
# (a withdrawal link, a search). Two workers are plenty on a laptop.
RUN_SERVER = GUNICORN_BIND=$(HOST):$(PORT) WEB_CONCURRENCY=2 $(BIN)/gunicorn -c gunicorn.conf.py archive.wsgi
# Whether anything answers HTTP there yet (any status: a host name missing
# from DJANGO_ALLOWED_HOSTS gets a 400, and the site is still up).
ANSWERS = $(BIN)/python -c "import http.client as h; c = h.HTTPConnection('$(HOST)', $(PORT), timeout=5); c.request('GET', '/healthz'); c.getresponse()" 2>/dev/null

.PHONY: run serve test install install-test lint messages clean

run: install .secret_key
	$(SITE_ENV) $(BIN)/python manage.py createcachetable
	$(SITE_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(SITE_ENV) $(BIN)/python manage.py load_sample_archive
	$(SITE_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	@$(SITE_ENV) $(RUN_SERVER) & server=$$!; \
	until $(ANSWERS); do kill -0 $$server 2>/dev/null || exit 1; sleep 0.5; done; \
	echo "Perspectives is running on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"; \
	wait $$server

# The production server: gunicorn with gunicorn.conf.py, on the database and
# settings the environment names (docs/deploy.md). Migrations run first.
serve: install
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/gunicorn -c gunicorn.conf.py archive.wsgi

test: install-test
	$(BIN)/pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtual environment. On Debian: apt-get install python3-venv"; \
	  rm -rf $(VENV); exit 1; }

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $@

.secret_key: | $(BIN)/python
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

# Regenerate the Spanish catalogue after changing strings (needs gettext).
messages: install
	$(BIN)/python manage.py makemessages -l es --no-location --ignore=.venv
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles test-db.sqlite3*
