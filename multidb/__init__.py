"""The multi-database core.

Routers, replica handling, URL-to-DATABASES configuration, health checks,
guards and management commands for a Django site spread over several
databases. It reads one routing map from settings (``settings.MULTIDB``) and
imports no application of the project, so it can be lifted into another one.
"""
