# The commands people type. Each target creates .venv on first use.
#   make run        serve the site on the embedded (SQLite) topology, with demo data
#   make test       the whole suite on the embedded topology
#   make test-real  the whole suite on PostgreSQL primary + standby and MariaDB (scripts/devdb)
#   make lint       ruff: lint and formatting
#   make validate   static checks of the deployment files (compose, Dockerfile, shell scripts)
#   make bench      replica routing benchmark on the real topology (standby 2 s behind)
#   make bench-move move_data against dumpdata | loaddata and pgloader (needs: apt-get install pgloader)
#   make worker     deliver the outbox continuously (what the compose `worker` service runs)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: run test test-real lint validate bench bench-move worker devdb-up devdb-down devdb-status clean

$(STAMP): requirements.txt requirements-dev.txt requirements-validate.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	@scripts/check-build-deps
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

run: $(STAMP)
	$(BIN)/python manage.py migrate_all
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(BIN)/pytest

# Events written while analytics was down reach it by themselves too; this only makes it prompt.
worker: $(STAMP)
	$(BIN)/python manage.py deliver_outbox --loop

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Starts the private topology if it is not running, then runs the suite with its URLs.
test-real: $(STAMP)
	scripts/devdb up
	set -a && . "$$(scripts/devdb env)" && set +a && $(BIN)/pytest

# The standby gets a 2 s apply delay for the run and none afterwards, whatever happens.
bench: $(STAMP)
	scripts/devdb up --apply-delay 2
	set -a && . "$$(scripts/devdb env)" && set +a && $(BIN)/python bench/replica_routing.py $(BENCH_ARGS); \
	  status=$$?; scripts/devdb replica-delay 0; exit $$status

bench-move: $(STAMP)
	scripts/devdb up
	set -a && . "$$(scripts/devdb env)" && set +a && $(BIN)/python bench/move_data.py $(BENCH_ARGS)

validate: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/validate

devdb-up:
	scripts/devdb up
devdb-down:
	scripts/devdb down
devdb-status:
	scripts/devdb status

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
