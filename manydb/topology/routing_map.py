"""The routing map: where each app lives, read from ``settings.MANYDB``.

``settings.MANYDB`` is the single source of truth. Everything in this
package that needs to know where an app lives, which aliases are replicas of
which primary, or which databases are never migrated, asks ``routing_map()``.

    MANYDB = {
        "ROUTES": {"blog": "default", "users": "users", ...},   # app label -> alias
                  # a tuple of aliases shards the app over them, in order:
                  # "analytics": ("analytics", "analytics_2") (see manydb.sharding)
        "REPLICAS": {"default": {"replica": 1}},                 # primary -> {replica: weight}
        "PRIMARY_WEIGHT": {"default": 0},                        # share of reads kept on a primary
        "NEVER_MIGRATE": ["legacy"],                             # external schemas
        "CRITICAL": ["default", "users"],                        # /health/ answers 503 without them
        "REPLICA_READS": {...},                                  # see ReplicaOptions
        "OUTBOX": {"ALIASES": ["default", "users"], "FALLBACK": "users"},  # see OutboxOptions
        "MOVING": ["legacy"],                                    # writes paused (manydb.moving.pause)
        "RESHARDING": {"analytics": 3},                          # going to 3 shards (manydb.sharding.moves)
    }

An app missing from ROUTES lives on ``default``, as it would without routers.
"""

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS

from manydb.topology.database_urls import shard_aliases

PRIMARY = "primary"
REPLICA = "replica"
EXTERNAL = "external"
CORE_APP_LABEL = "manydb"  # the core's own table, the outbox, lives on every OUTBOX alias


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
    token_cookie: str = "manydb_rw"
    token_max_age: int = 300
    fallback_pin_seconds: float = 5.0
    causal_tokens: str = "lsn"

    @classmethod
    def from_settings(cls, config: dict) -> "ReplicaOptions":
        options = cls(**_options(cls, config, "REPLICA_READS"))
        if options.causal_tokens not in ("lsn", "time"):
            raise ValueError("MANYDB['REPLICA_READS']['CAUSAL_TOKENS'] must be 'lsn' or 'time'")
        return options


@dataclass(frozen=True)
class OutboxOptions:
    """Where cross-database messages wait, and how often they are retried (see manydb.outbox).

    ALIASES          databases with an outbox table: a write there commits its messages with it.
    FALLBACK         where a message with no originating write waits when its target fails.
    RETRY_SECONDS    a failing target is not tried inline again for this long, per process.
    SWEEP_SECONDS    at most one opportunistic delivery of the backlog per process this often.
    SWEEP_BATCH      messages per alias in one opportunistic delivery: a bounded cost.
    BATCH            messages per alias per round of deliver_outbox.
    SEND_BUDGET_SECONDS  how long outbox_send may try its target inline (enforced
                     by the database) before the message waits on FALLBACK: a
                     slow or locked target must not hold the page that sends.
    """

    aliases: tuple[str, ...] = ()
    fallback: str | None = None
    retry_seconds: float = 30.0
    sweep_seconds: float = 30.0
    sweep_batch: int = 100
    batch: int = 500
    send_budget_seconds: float = 0.25

    @classmethod
    def from_settings(cls, config: dict) -> "OutboxOptions":
        values = _options(cls, config, "OUTBOX")
        values["aliases"] = tuple(values.get("aliases", ()))
        return cls(**values)


@dataclass(frozen=True)
class RoutingMap:
    routes: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    replicas: dict[str, dict[str, int]] = field(default_factory=dict)
    primary_weight: dict[str, int] = field(default_factory=dict)
    never_migrate: frozenset[str] = frozenset()
    critical: frozenset[str] = frozenset()
    replica_reads: ReplicaOptions = ReplicaOptions()
    outbox: OutboxOptions = OutboxOptions()
    moving: frozenset[str] = frozenset()
    resharding: dict[str, int] = field(default_factory=dict)

    @property
    def outbox_aliases(self) -> tuple[str, ...]:
        return self.outbox.aliases

    @property
    def outbox_fallback(self) -> str | None:
        return self.outbox.fallback

    def home_of(self, app_label: str) -> str:
        """The alias an app's tables live on (and its writes go to).

        A sharded app has no single home: asking raises ShardKeyRequired.
        """
        home = self.routes.get(app_label, DEFAULT_DB_ALIAS)
        if isinstance(home, tuple):
            from manydb.sharding.errors import ShardKeyRequired

            raise ShardKeyRequired.for_label(app_label, home)
        return home

    def shards_of(self, app_label: str) -> tuple[str, ...]:
        """The aliases an app's rows are spread over, in order; a 1-tuple for an unsharded app."""
        home = self.routes.get(app_label, DEFAULT_DB_ALIAS)
        return home if isinstance(home, tuple) else (home,)

    def place_of(self, app_label: str) -> str:
        """Where an app lives, for comparisons and messages: its home, or its shards joined by commas."""
        return ", ".join(self.shards_of(app_label))

    def is_sharded(self, app_label: str) -> bool:
        return isinstance(self.routes.get(app_label), tuple)

    def shard_aliases(self) -> tuple[str, ...]:
        """Every alias that holds a shard of some app, each once."""
        aliases = (alias for home in self.routes.values() if isinstance(home, tuple) for alias in home)
        return tuple(dict.fromkeys(aliases))

    def aliases(self) -> tuple[str, ...]:
        """Every alias an app lives on (shards included), each once, in ROUTES order."""
        return tuple(dict.fromkeys(alias for label in self.routes for alias in self.shards_of(label)))

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
        """The aliases an app's tables are created on: its home (every shard of a sharded app, and
        the new ones of a reshard under way), or every outbox alias for the core."""
        if app_label == CORE_APP_LABEL:
            return self.outbox_aliases
        return self.slots_of(app_label)

    def slots_of(self, app_label: str) -> tuple[str, ...]:
        """A sharded app's shards in slot order (slot = index + 1), the new shards of a reshard
        under way included: ``analytics``, ``analytics_2``... whatever ROUTES routes to now."""
        shards = self.shards_of(app_label)
        count = self.resharding.get(app_label, 0)
        if not self.is_sharded(app_label) or count <= len(shards):
            return shards
        return tuple(shard_aliases(shards[0], count))

    def is_replica(self, alias: str) -> bool:
        return self.primary_of(alias) != alias

    def has_replicas(self, alias: str) -> bool:
        return bool(self.replicas.get(alias))

    def role_of(self, alias: str) -> str:
        if self.is_replica(alias):
            return REPLICA
        if alias in self.never_migrate:
            return EXTERNAL
        return PRIMARY


# The keys MANYDB understands; anything else is a typo the system check reports.
KEYS = (
    "ROUTES",
    "REPLICAS",
    "PRIMARY_WEIGHT",
    "NEVER_MIGRATE",
    "CRITICAL",
    "REPLICA_READS",
    "OUTBOX",
    "MOVING",
    "RESHARDING",
    "SECTIONS",
)


@cache
def routing_map() -> RoutingMap:
    """The routing map from settings, built once (and again when tests override it)."""
    config = getattr(settings, "MANYDB", {})
    return RoutingMap(
        routes={label: _route(home) for label, home in config.get("ROUTES", {}).items()},
        replicas={primary: dict(weights) for primary, weights in config.get("REPLICAS", {}).items()},
        primary_weight=dict(config.get("PRIMARY_WEIGHT", {})),
        never_migrate=frozenset(config.get("NEVER_MIGRATE", ())),
        critical=frozenset(config.get("CRITICAL", ())),
        replica_reads=ReplicaOptions.from_settings(config.get("REPLICA_READS", {})),
        outbox=OutboxOptions.from_settings(config.get("OUTBOX", {})),
        moving=frozenset(config.get("MOVING", ())),
        resharding={label: int(count) for label, count in dict(config.get("RESHARDING", {})).items()},
    )


def home_of(model_or_label) -> str:
    """The alias a model (class, instance or app label) lives on: where its writes go.

    A lookup, never a decision about reads: asking it records nothing, pins
    nothing and issues no read-your-writes token.
    """
    label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.app_label
    return routing_map().home_of(label)


def _route(home) -> str | tuple[str, ...]:
    """A ROUTES value: one alias, or a list/tuple of shards (one shard is still sharded:
    code that names its keys keeps working when a second shard is added)."""
    return home if isinstance(home, str) else tuple(home)


def _options(cls, config: dict, section: str) -> dict:
    """A section's upper-case keys as the dataclass's field names; unknown keys are refused."""
    names = {name.upper(): name for name in cls.__dataclass_fields__}
    unknown = set(config) - set(names)
    if unknown:
        raise ValueError(
            f"MANYDB['{section}'] has unknown keys: {', '.join(sorted(unknown))} (valid: {', '.join(sorted(names))})"
        )
    return {names[key]: value for key, value in config.items()}


def _forget_routing_map(*, setting, **kwargs):
    if setting in ("MANYDB", "DATABASES"):
        routing_map.cache_clear()


setting_changed.connect(_forget_routing_map)
