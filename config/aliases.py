"""This project's database aliases, as constants.

Settings build DATABASES and the routing map from these names; code outside
settings and the multi-database core asks the router instead of naming them.
"""

DEFAULT = "default"  # the primary: blog
REPLICA = "replica"  # streaming standby of DEFAULT; replica_2, ... when several
USERS = "users"  # users, auth, contenttypes, sessions, admin
ANALYTICS = "analytics"  # events
CACHE = "cache"  # cache entries and Django's database cache
LEGACY = "legacy"  # an existing order system's schema; never migrated
