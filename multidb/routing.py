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


@dataclass(frozen=True)
class RoutingMap:
    routes: dict[str, str] = field(default_factory=dict)
    replicas: dict[str, dict[str, int]] = field(default_factory=dict)
    primary_weight: dict[str, int] = field(default_factory=dict)
    never_migrate: frozenset[str] = frozenset()
    critical: frozenset[str] = frozenset()

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
    )


def _forget_routing_map(*, setting, **kwargs):
    if setting in ("MULTIDB", "DATABASES"):
        routing_map.cache_clear()


setting_changed.connect(_forget_routing_map)
