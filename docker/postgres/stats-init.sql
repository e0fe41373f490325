-- Runs once, on a server's first start: the view behind `manage.py dbmaint
-- slow-queries` (the library itself is preloaded by the service's command).
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
