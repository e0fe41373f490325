"""The test suite: fast hashing, SQLite test databases as files."""

from pathlib import Path

from config import env
from manydb import url_variable

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, _database

# Two suites running at once (two checkouts' CI, say) need separate files.
TEST_DB_DIR = Path(env.string("DJANGO_TEST_DB_DIR", str(VAR_DIR / "test")))

# Hashing with the real hasher would dominate the suite's run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A spare shard for the resharding tests (tests/manydb/sharding/test_reshard.py):
# configured, but routed to only while a test reshards onto it. Its own URL if
# set, else beside the last shard: an SQLite file, or a database on its server.
_SPARE_SHARD = "analytics_3"
if _SPARE_SHARD not in DATABASES:
    _last = DATABASES.get("analytics_2", DATABASES["analytics"])
    if env.string(url_variable(_SPARE_SHARD)) or _last["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES[_SPARE_SHARD] = _database(_SPARE_SHARD)
    else:
        DATABASES[_SPARE_SHARD] = {**_last, "NAME": f"{str(_last['NAME']).removesuffix('_2')}_3", "TEST": {}}

# File-based SQLite test databases (not in-memory), so a replica can open the
# primary's test database read-only through its own connection, as in
# production. Server databases keep Django's test_<name> convention.
for _alias, _config in DATABASES.items():
    if _config["ENGINE"] == "django.db.backends.sqlite3" and not _config.get("TEST", {}).get("MIRROR"):
        _config["TEST"] = {**_config.get("TEST", {}), "NAME": str(TEST_DB_DIR / f"{_alias}.sqlite3")}
TEST_DB_DIR.mkdir(parents=True, exist_ok=True)

DASHBOARD_CACHE_SECONDS = 60

# The suite seeds demo data; tests of production behaviour turn this off.
INSECURE_DEMO_MODE = True
# Each /health/ call probes afresh, so a test sees the fault it just made;
# tests of the shared probe set an interval of their own.
MANYDB_HEALTH_SHARE_SECONDS = 0
# The sign-up limit counts in the database cache, which no test flush empties:
# off, except in the tests of the limit itself (tests/security).
RATELIMIT_ENABLE = False

# No collectstatic before tests: serve from the finders, as in development.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
