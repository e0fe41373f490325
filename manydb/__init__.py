"""manydb: one Django site on several databases.

The core reads one routing map from settings (``settings.MANYDB``) and
imports no application of the project, so it can be lifted into another one.
What a project may use is importable from here, as ``django.db`` hands out
``router``, ``connections`` and ``transaction``; the submodules are the core's
own business and may change.

    topology/   where each app lives (the routing map), database URLs -> DATABASES
    router.py   the database router: answers from the routing map, nothing else
    scope/      the routing state of a request or job; writes that pin its reads
    replicas/   which replica serves a read: choice, probe, breaker, tokens, retry
    failover/   a promoted standby: which server is primary, fencing, stale pools
    crossdb/    the join guard, cross-database relations, delete policies, audit
    sharding/   one app's rows spread over several databases by key: routing, fan-out, ids
    outbox/     writes meant for another database, delivered after commit
    moving/     moving an app's rows to another database: streamed, resumable, verified
    ops/        health, sections that survive a database being down, system checks
    maintenance/ dbmaint and the database health page: sizes, vacuum, slow queries,
                checks, monthly partitions, retention
    deadlines/  time budgets the database enforces (statement timeouts per engine)
    debugging/  development only: the toolbar's Databases panel, the reads badge
    middleware.py, management/commands/, testing.py
"""

from manydb.crossdb.audit import audit_references
from manydb.crossdb.delete_policies import DELETE, SET_NULL, declare, declare_soft, reassign
from manydb.crossdb.joins import CrossDatabaseJoinError
from manydb.deadlines.statements import is_timeout, statement_deadline
from manydb.maintenance.partitions import partition_by_month, partitions_register
from manydb.maintenance.retention import retention_register
from manydb.maintenance.views import database_health as database_health_view
from manydb.moving import MoveRefused, move_app, move_rows
from manydb.ops.health import check_alias, check_all, critical_ok, primary_report, replica_report
from manydb.ops.sections import Section, guarded, guarded_all, guarded_lane, guarded_lanes, guarded_sequence
from manydb.ops.sizes import database_size
from manydb.ops.views import health as health_view
from manydb.outbox.delivery import (
    MessagesHeld,
    outbox_backlog,
    outbox_deliver,
    outbox_put,
    outbox_register,
    outbox_send,
)
from manydb.scope.state import forked_scope, routing_scope, use_primary
from manydb.scope.writes import scope_token
from manydb.sharding.context import shard_for
from manydb.sharding.errors import ShardKeyRequired
from manydb.sharding.fanout import ShardResults, for_each_shard, shard_results, shard_tasks
from manydb.sharding.ids import shard_of_id
from manydb.sharding.keys import jump_hash, shard_key_hash
from manydb.sharding.managers import ShardedManager, ShardedQuerySet
from manydb.sharding.moves import ShardMoving, key_moves, shards_split
from manydb.sharding.registry import shard_by, shard_of
from manydb.topology.database_urls import (
    DatabaseURLError,
    as_replica,
    database_from_url,
    read_only_view,
    replica_aliases,
    shard_aliases,
    split_database_urls,
    sqlite_url,
    url_variable,
)
from manydb.topology.routing_map import home_of, routing_map

__all__ = [
    # Where things live
    "home_of",
    "routing_map",
    # Settings: database URLs -> DATABASES entries
    "DatabaseURLError",
    "as_replica",
    "database_from_url",
    "read_only_view",
    "replica_aliases",
    "shard_aliases",
    "split_database_urls",
    "sqlite_url",
    "url_variable",
    # Routing scope and replicas
    "forked_scope",
    "routing_scope",
    "scope_token",
    "use_primary",
    # Sharding: one app's rows over several databases, by key
    "ShardKeyRequired",
    "ShardResults",
    "ShardedManager",
    "ShardedQuerySet",
    "for_each_shard",
    "jump_hash",
    "shard_by",
    "shard_for",
    "shard_key_hash",
    "shard_of",
    "shard_of_id",
    "shard_results",
    "shard_tasks",
    # Resharding: writes whose shard changes wait until the cut-over
    "ShardMoving",
    "key_moves",
    "shards_split",
    # Integrity across databases
    "CrossDatabaseJoinError",
    "DELETE",
    "SET_NULL",
    "audit_references",
    "declare",
    "declare_soft",
    "reassign",
    # Outbox
    "MessagesHeld",
    "outbox_backlog",
    "outbox_deliver",
    "outbox_put",
    "outbox_register",
    "outbox_send",
    # Moving an app to another database
    "MoveRefused",
    "move_app",
    "move_rows",
    # Operations
    "Section",
    "check_alias",
    "check_all",
    "critical_ok",
    "database_size",
    "guarded",
    "guarded_all",
    "guarded_lane",
    "guarded_lanes",
    "guarded_sequence",
    "is_timeout",
    "statement_deadline",
    "health_view",
    "primary_report",
    "replica_report",
    # Maintenance: monthly partitions and retention
    "database_health_view",
    "partition_by_month",
    "partitions_register",
    "retention_register",
]
