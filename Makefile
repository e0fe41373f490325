# The commands people type. Each target creates .venv on first use (or makes a
# broken one again) and installs what it needs, and only that:
#   make run        serve the site on the embedded (SQLite) topology, with demo data
#                   (requirements-dev.txt; + requirements-mysql.txt if LEGACY_DATABASE_URL is mysql://)
#   make test       the whole suite on the embedded topology (requirements-test.txt)
#   make test-real  the whole suite on PostgreSQL primary + standby + shard server and MariaDB (scripts/devdb)
#   make lint       ruff: lint and formatting (requirements-lint.txt)
#   make validate   static checks of the deployment files and tests/deploy (requirements-validate.txt)
#   make bench      replica routing benchmark on the real topology (standby 2 s behind)
#   make bench-retention  dropping a month's partition vs DELETE of its rows (real PostgreSQL)
#   make bench-move move_data against dumpdata | loaddata and pgloader (needs: apt-get install pgloader)
#   make bench-shard  event inserts, 8 clients: one analytics shard against two on two PostgreSQL servers
#   make bench-reshard  reshard 1,000,000 events 2 -> 3 and back on two PostgreSQL servers
#   make worker     deliver the outbox continuously (what the compose `worker` service runs)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# Creates or repairs .venv, then installs the requirements files given (quietly;
# a file is installed again only when it changed). See scripts/venv.py.
INSTALL = @$(PYTHON) scripts/venv.py --venv $(VENV)
# The MySQL driver compiles C code: only where the legacy database is MySQL.
MYSQL_DRIVER = $(if $(filter mysql%,$(LEGACY_DATABASE_URL)),requirements-mysql.txt)

.PHONY: run test test-real lint validate bench bench-retention bench-move bench-shard bench-reshard worker devdb-up devdb-down devdb-status clean install $(VENV)/.installed

# Everything a developer uses at once (each command below installs only its own part).
install $(VENV)/.installed:
	$(INSTALL) requirements-test.txt requirements-lint.txt requirements-validate.txt $(MYSQL_DRIVER)

run:
	$(INSTALL) requirements-dev.txt $(MYSQL_DRIVER)
	@echo "==> migrating every database (manage.py migrate_all)"
	@$(BIN)/python manage.py migrate_all
	@echo "==> loading the demo data (manage.py seed_demo)"
	@$(BIN)/python manage.py seed_demo
	@echo "==> serving the site at http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	@$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test:
	$(INSTALL) requirements-test.txt
	$(BIN)/pytest

# Events written while analytics was down reach it by themselves too; this only makes it prompt.
worker:
	$(INSTALL) requirements-dev.txt $(MYSQL_DRIVER)
	$(BIN)/python manage.py deliver_outbox --loop

lint:
	$(INSTALL) requirements-lint.txt
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Starts the private topology if it is not running, then runs the suite with its URLs.
test-real:
	$(INSTALL) requirements-test.txt requirements-mysql.txt
	scripts/devdb up
	set -a && . "$$(scripts/devdb env)" && set +a && $(BIN)/pytest

# The standby gets a 2 s apply delay for the run and none afterwards, whatever happens.
bench:
	$(INSTALL) requirements-test.txt requirements-mysql.txt
	scripts/devdb up --apply-delay 2
	set -a && . "$$(scripts/devdb env)" && set +a && $(BIN)/python bench/replica_routing.py $(BENCH_ARGS); \
	  status=$$?; scripts/devdb replica-delay 0; exit $$status

# One month of 1,000,000 events, removed both ways in a scratch database on the primary.
bench-retention:
	$(INSTALL) requirements-test.txt requirements-mysql.txt
	scripts/devdb up
	set -a && . "$$(scripts/devdb env)" && set +a && $(BIN)/python bench/partition_retention.py $(BENCH_ARGS)

bench-reshard:
	$(INSTALL) requirements-test.txt requirements-mysql.txt
	scripts/devdb up
	set -a && . "$$(scripts/devdb env)" && set +a && $(BIN)/python bench/reshard.py $(BENCH_ARGS)

bench-move:
	$(INSTALL) requirements-test.txt requirements-mysql.txt
	scripts/devdb up
	set -a && . "$$(scripts/devdb env)" && set +a && $(BIN)/python bench/move_data.py $(BENCH_ARGS)

# Both fsync settings side by side (devdb runs with fsync off; the benchmark turns it on and back).
bench-shard:
	$(INSTALL) requirements-test.txt requirements-mysql.txt
	scripts/devdb up
	set -a && . "$$(scripts/devdb env)" && set +a && $(BIN)/python bench/sharding.py --fsync both $(BENCH_ARGS)

# The validators, then tests/deploy (which reads the compose file through them).
validate:
	$(INSTALL) requirements-test.txt requirements-validate.txt
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/validate
	$(BIN)/pytest -q tests/deploy

devdb-up:
	scripts/devdb up
devdb-down:
	scripts/devdb down
devdb-status:
	scripts/devdb status

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
