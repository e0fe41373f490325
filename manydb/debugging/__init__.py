"""Development aids: where this request's reads went and why (never installed in production).

capture.py  a per-request record: queries per alias, routing decisions,
            joins the guard refused, the read-your-writes token in and out
panel.py    a django-debug-toolbar panel showing that record ("Databases")
badge.py    a context processor for the "reads: replica / primary" badge
"""
