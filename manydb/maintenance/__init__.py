"""Keeping the databases in shape: what `manage.py dbmaint` and the database health page run.

    engines/       one inspector per engine: sizes, VACUUM/ANALYZE, slow queries, checks
    checks.py      the health checks' vocabulary and thresholds (after pghero)
    status.py      reachability, latency, replica lag and connections of an alias
    partitions.py  monthly range partitions on PostgreSQL: created ahead, dropped whole
    retention.py   what apps ask to have purged, and the purge
    views.py       the staff-only health page, one guarded section per alias

The package knows no app: apps declare their partitioned tables and their
retention in AppConfig.ready() through ``manydb.partitions_register`` and
``manydb.retention_register``.
"""
