"""Where things live: the routing map read from settings, and database URLs turned into DATABASES."""
