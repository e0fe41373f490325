"""Failover: the application's side of a standby's promotion.

Who becomes primary is decided elsewhere (Patroni, repmgr, pg_auto_failover,
or ``scripts/devdb promote``); libpq finds it, given several hosts and
``target_session_attrs=read-write`` (``manydb.topology.database_urls``).
What a Django process must add:

    servers.py   which server each alias reached, on which timeline, and when
                 that changed; a server on an older timeline than one already
                 seen is a former primary and is fenced off (never written to)
    discard.py   a pooled connection the server dropped, or one that lands on
                 a read-only server (SQLSTATE 25006), empties the alias's pool
                 so it refills from the host list; the statement's request
                 fails once (a write is never repeated behind the client's back)

Reads that meet a replica going away are retried by ``manydb.replicas.retry``;
read-your-writes tokens carry the timeline (``manydb.replicas.tokens``).
"""
