# syntax=docker/dockerfile:1
#
# The web image: Django + gunicorn + whitenoise, run with the production
# settings. docker-compose.yml builds it for both `web` and `migrate`.
#
# Two stages, so compilers and headers never reach the image that runs:
#   builder  compiles wheels (mysqlclient has C code that links against the
#            MySQL/MariaDB client library);
#   runtime  installs those wheels plus the shared libraries they load, and
#            nothing else.
# Both stages use the same pinned base image: wheels compiled against one
# Debian release's libraries must run against the same release's libraries.
# Bump the two FROM lines together.

# ----------------------------------------------------------------- builder
FROM python:3.12.15-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

# gcc + libc6-dev: the C compiler and C library headers (gcc only *recommends*
#   libc6-dev, and --no-install-recommends would leave it out).
# pkg-config + default-libmysqlclient-dev: mysqlclient's build asks pkg-config
#   for the client library's flags; on Debian the "default" MySQL client
#   development package is MariaDB Connector/C (libmariadb-dev).
# libpq-dev: not needed today (psycopg-binary ships compiled wheels with its
#   own libpq); here so that switching to psycopg[c] or a platform without a
#   binary wheel still builds.
# DL3008 (pin apt versions) is ignored in .hadolint.yaml: see the reason there.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gcc \
        libc6-dev \
        pkg-config \
        default-libmysqlclient-dev \
        libpq-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build
# The site's runtime plus the MySQL driver: the legacy database is MySQL here.
COPY requirements.txt requirements-mysql.txt ./
# Wheels for every pinned requirement, compiled where there is no binary
# wheel. The runtime stage installs from these only (--no-index), so both
# stages are guaranteed to get exactly the same versions.
RUN pip wheel --wheel-dir /wheels -r requirements.txt -r requirements-mysql.txt

# ----------------------------------------------------------------- runtime
FROM python:3.12.15-slim-bookworm AS runtime

# PYTHONUNBUFFERED: log lines reach `docker logs` immediately, not when a
#   buffer fills (or never, if the process is killed).
# PYTHONDONTWRITEBYTECODE: the app runs as a user that cannot write to /app
#   anyway; the bytecode is compiled once at build time instead (below).
# DJANGO_SETTINGS_MODULE: this image runs the production settings, which
#   read everything else from the environment (see .env.example).
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=config.settings.production

# Only the shared libraries the wheels load at run time:
# libmariadb3: the client library mysqlclient was linked against
#   (libmariadb.so.3). It also has to authenticate to MySQL 8.4, whose
#   accounts use caching_sha2_password by default. MariaDB Connector/C loads
#   that as a plugin from a directory compiled into the library, and on
#   Debian bookworm the plugin ships in libmariadb3 itself, checked with
#   `dpkg -c libmariadb3_1%3a10.11.*_amd64.deb`:
#     /usr/lib/x86_64-linux-gnu/libmariadb3/plugin/caching_sha2_password.so
#   (next to sha256_password.so, client_ed25519.so, dialog.so,
#   mysql_clear_password.so). So no extra package is needed: the
#   mariadb-plugin-provider-* packages are *server* compression providers
#   (they install into /usr/lib/mysql/plugin), irrelevant to a client.
#   Connector/C links OpenSSL (libssl3), so over a non-TLS connection the
#   plugin fetches the server's RSA key itself to send the password
#   encrypted (libmysqlclient would need get-server-public-key for that).
# libpq5: psycopg-binary bundles its own libpq, so this is the fallback that
#   lets psycopg's pure-Python implementation work (PSYCOPG_IMPL=python),
#   e.g. to rule the binary build out while debugging. ~1 MB with its deps.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libmariadb3 \
        libpq5 \
    && rm -rf /var/lib/apt/lists/*

# Install from the builder's wheels through a build-time mount: the wheel
# files are read from the builder stage without being copied into a layer,
# so they take no space in the final image.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \
    --mount=type=bind,source=requirements-mysql.txt,target=/tmp/requirements-mysql.txt \
    pip install --no-cache-dir --no-index --find-links=/wheels \
        -r /tmp/requirements.txt -r /tmp/requirements-mysql.txt

# An unprivileged account to run as. A fixed UID/GID keeps file ownership on
# mounted volumes predictable; --no-log-init avoids a huge sparse
# /var/log/faillog for a high UID (hadolint DL3046). The home directory is
# where gunicorn puts its control socket ($HOME/.gunicorn).
RUN groupadd --system --gid 10001 app \
    && useradd --system --no-log-init --uid 10001 --gid app \
        --create-home --home-dir /home/app --shell /usr/sbin/nologin app

WORKDIR /app
# The code stays owned by root: the process serving requests cannot modify
# the code it runs. .dockerignore keeps .git, .venv, .env and tests out.
COPY . .

# Collect static files at build time, so the image is complete and immutable
# and whitenoise serves them (with hashed names and pre-compressed copies)
# straight from gunicorn; no separate static file server or volume.
# The production settings insist on DJANGO_SECRET_KEY (and refuse one the
# repository ships), but collectstatic never signs anything, so a random
# throwaway value is given to this one command only: it is not an ENV, so it
# is not in the image's configuration, and nobody knows it. Databases are not
# touched. compileall writes the bytecode the runtime user could not.
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
        python manage.py collectstatic --noinput \
    && python -m compileall -q /app

# Numeric, so that a platform can verify "not root" without reading
# /etc/passwd (e.g. Kubernetes runAsNonRoot); 10001 is `app` above.
USER 10001:10001

EXPOSE 8000

# /health/ answers 200 when the default and users databases respond, 503
# otherwise. config/healthcheck.py asks it with Python's urllib (curl is not
# in the slim image, and installing it for this alone would add attack
# surface), as the first host in DJANGO_ALLOWED_HOSTS, so production need not
# allow 127.0.0.1; /health/ is exempt from the HTTPS redirect.
# --timeout: /health/ may wait DB_CONNECT_TIMEOUT (5 s) on a database that is
# down and the probe waits 3 s more (config/healthcheck.py); 12 s lets that
# answer arrive. Raise it with DB_CONNECT_TIMEOUT (tests/deploy checks this).
HEALTHCHECK --interval=30s --timeout=12s --start-period=30s --retries=3 \
    CMD ["python", "-m", "config.healthcheck"]

# Exec form: gunicorn is PID 1 and receives docker stop's SIGTERM directly,
# so it can finish in-flight requests (graceful_timeout) before exiting.
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"]
