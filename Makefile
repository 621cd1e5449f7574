# Two commands: `make demo` and `make test`.  Both set up everything they need
# on a bare Debian machine with Python 3.11 (system packages via apt-get).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PG_URL ?= postgres://postgres@127.0.0.1:5432/lms
REDIS_URL ?= redis://127.0.0.1:6379/15
HOST ?= 127.0.0.1
PORT ?= 8000
I18N_IGNORE := --ignore=.venv --ignore=var --ignore=media --ignore=staticfiles --ignore=tests --ignore=benchmarks

.PHONY: demo dev test setup system-deps lint messages serve clean

## System packages: ffmpeg/ffprobe (video), Chromium (browser tests), gettext,
## a Chinese TrueType font to embed in certificate PDFs (fonts-droid-fallback),
## CJK fonts for readable screenshots, and the PDF/QR readers the tests use
## (pdftoppm from poppler-utils, zbarimg from zbar-tools).
system-deps:
	@missing=""; \
	command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || missing="$$missing ffmpeg"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	test -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf || missing="$$missing fonts-droid-fallback"; \
	test -d /usr/share/fonts/opentype/noto || missing="$$missing fonts-noto-cjk"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	if [ -n "$$missing" ]; then \
	  echo "== installing system packages:$$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[dev]"
	touch $(STAMP)

setup: system-deps $(STAMP)

lint: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

test: setup lint
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || (echo "missing migrations"; exit 1)
	@echo "== suite 1/2: SQLite + filesystem Celery broker (embedded defaults) =="
	$(VENV)/bin/pytest
	@if $(PY) -c "import socket; [socket.create_connection(('127.0.0.1', p), 2).close() for p in (5432, 6379)]" 2>/dev/null; then \
	  echo "== suite 2/2: PostgreSQL ($(PG_URL)) + Redis ($(REDIS_URL)) =="; \
	  DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_URL) LMS_CACHE_URL=$(REDIS_URL) \
	    $(VENV)/bin/pytest --create-db && echo "== both backends passed: SQLite+filesystem, PostgreSQL+Redis =="; \
	else \
	  echo "== PostgreSQL or Redis not answering on 127.0.0.1: suite 2/2 NOT run (SQLite only) =="; \
	fi

# The product as it runs in production (gunicorn, WhiteNoise, DEBUG off),
# with a Celery worker and beat; Ctrl-C stops all three (lms/core/launcher.py).
demo: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_data --quiet-logins
	@$(MAKE) --no-print-directory serve

serve:
	@exec $(PY) -m lms.core.launcher --host $(HOST) --port $(PORT)

# For development: runserver with DEBUG on and reloading, worker and beat.
dev: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_data --quiet-logins
	@exec $(PY) -m lms.core.launcher --dev --host $(HOST) --port $(PORT)

messages: setup
	$(PY) manage.py makemessages -l zh_Hans --add-location=file $(I18N_IGNORE)
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf var staticfiles
