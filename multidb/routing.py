"""The routing map: where each app lives, read from ``settings.MULTIDB``.

``settings.MULTIDB`` is the single source of truth. Everything in this
package that needs to know where an app lives, which aliases are replicas of
which primary, or which databases are never migrated, asks ``routing_map()``.

    MULTIDB = {
        "ROUTES": {"blog": "default", "users": "users", ...},   # app label -> alias
        "REPLICAS": {"default": {"replica": 1}},                 # primary -> {replica: weight}
        "PRIMARY_WEIGHT": {"default": 0},                        # share of reads kept on a primary
        "NEVER_MIGRATE": ["legacy"],                             # external schemas
        "CRITICAL": ["default", "users"],                        # /health/ answers 503 without them
        "REPLICA_READS": {...},                                  # see ReplicaOptions
        "OUTBOX": {"ALIASES": ["default", "users"], "FALLBACK": "users"},  # see multidb.outbox
    }

An app missing from ROUTES lives on ``default``, as it would without routers.
"""

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS

PRIMARY = "primary"
REPLICA = "replica"
EXTERNAL = "external"
CORE_APP_LABEL = "multidb"  # the core's own table, the outbox, lives on every OUTBOX alias


@dataclass(frozen=True)
class ReplicaOptions:
    """How reads are spread over replicas; every field has a documented default.

    MAX_LAG_SECONDS      a replica further behind than this, measured on the
                         replica, serves nobody until it catches up.
    COOLDOWN_SECONDS     a replica that failed rests this long before it is tried again.
    TOKEN_COOKIE         the browser cookie carrying a client's read-your-writes token.
    TOKEN_MAX_AGE        seconds a token is honoured at most; a replica that has not
                         caught up with a write by then is treated as broken anyway.
    FALLBACK_PIN_SECONDS engines without a log position (SQLite, MySQL): after a
                         write, the client reads from the primary this long.
    CAUSAL_TOKENS        "lsn" (PostgreSQL: compare log positions, the default) or
                         "time" (always use the fixed window, on every engine).
    """

    max_lag_seconds: float = 5.0
    cooldown_seconds: float = 10.0
    token_cookie: str = "multidb_rw"
    token_max_age: int = 300
    fallback_pin_seconds: float = 5.0
    causal_tokens: str = "lsn"

    @classmethod
    def from_settings(cls, config: dict) -> "ReplicaOptions":
        names = {name.upper(): name for name in cls.__dataclass_fields__}
        unknown = set(config) - set(names)
        if unknown:
            raise ValueError(f"MULTIDB['REPLICA_READS'] has unknown keys: {', '.join(sorted(unknown))}")
        options = cls(**{names[key]: value for key, value in config.items()})
        if options.causal_tokens not in ("lsn", "time"):
            raise ValueError("MULTIDB['REPLICA_READS']['CAUSAL_TOKENS'] must be 'lsn' or 'time'")
        return options


@dataclass(frozen=True)
class RoutingMap:
    routes: dict[str, str] = field(default_factory=dict)
    replicas: dict[str, dict[str, int]] = field(default_factory=dict)
    primary_weight: dict[str, int] = field(default_factory=dict)
    never_migrate: frozenset[str] = frozenset()
    critical: frozenset[str] = frozenset()
    replica_reads: ReplicaOptions = ReplicaOptions()
    outbox_aliases: tuple[str, ...] = ()  # databases with an outbox table
    outbox_fallback: str | None = None  # where messages with no originating write wait

    def home_of(self, app_label: str) -> str:
        """The alias an app's tables live on (and its writes go to)."""
        return self.routes.get(app_label, DEFAULT_DB_ALIAS)

    def replicas_of(self, primary: str) -> dict[str, int]:
        """The primary's replicas with their read weights (empty when it has none)."""
        return self.replicas.get(primary, {})

    def primary_of(self, alias: str) -> str:
        """The primary a replica follows; any other alias is its own primary."""
        for primary, replicas in self.replicas.items():
            if alias in replicas:
                return primary
        return alias

    def migrates_on(self, app_label: str) -> tuple[str, ...]:
        """The aliases an app's tables are created on: its home, or every outbox alias for the core."""
        if app_label == CORE_APP_LABEL:
            return self.outbox_aliases
        return (self.home_of(app_label),)

    def is_replica(self, alias: str) -> bool:
        return self.primary_of(alias) != alias

    def role_of(self, alias: str) -> str:
        if self.is_replica(alias):
            return REPLICA
        if alias in self.never_migrate:
            return EXTERNAL
        return PRIMARY


@cache
def routing_map() -> RoutingMap:
    """The routing map from settings, built once (and again when tests override it)."""
    config = getattr(settings, "MULTIDB", {})
    return RoutingMap(
        routes=dict(config.get("ROUTES", {})),
        replicas={primary: dict(weights) for primary, weights in config.get("REPLICAS", {}).items()},
        primary_weight=dict(config.get("PRIMARY_WEIGHT", {})),
        never_migrate=frozenset(config.get("NEVER_MIGRATE", ())),
        critical=frozenset(config.get("CRITICAL", ())),
        replica_reads=ReplicaOptions.from_settings(config.get("REPLICA_READS", {})),
        outbox_aliases=tuple(config.get("OUTBOX", {}).get("ALIASES", ())),
        outbox_fallback=config.get("OUTBOX", {}).get("FALLBACK"),
    )


def _forget_routing_map(*, setting, **kwargs):
    if setting in ("MULTIDB", "DATABASES"):
        routing_map.cache_clear()


setting_changed.connect(_forget_routing_map)
