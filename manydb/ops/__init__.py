"""Operating the databases: health, pages that survive a database being down, and system checks."""
