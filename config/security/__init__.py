"""The site's security wiring: trusted proxies, response headers, shipped credentials.

Project-level, not part of the multi-database core: it knows this
repository's own files and settings.
"""
