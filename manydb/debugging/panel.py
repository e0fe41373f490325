"""A django-debug-toolbar panel: where this request's reads went, and why.

Add ``"manydb.debugging.panel.DatabasesPanel"`` to DEBUG_TOOLBAR_PANELS in
development settings. Only the request's own thread is recorded: sections a
page runs on the section workers show in the dashboard's own tags.
"""

from debug_toolbar.panels import Panel
from django.db import connections

from manydb.debugging.capture import request_capture
from manydb.topology.routing_map import routing_map


class DatabasesPanel(Panel):
    title = "Databases"
    template = "manydb/debugging/panel.html"

    @property
    def nav_subtitle(self):
        stats = self.get_stats()
        used = [row for row in stats.get("aliases", []) if row["queries"]]
        return f"{stats.get('query_count', 0)} queries on {len(used)} aliases"

    def process_request(self, request):
        cookie = routing_map().replica_reads.token_cookie
        with request_capture(token_in=request.COOKIES.get(cookie)) as record:
            response = super().process_request(request)
        record.token_out = response.cookies[cookie].value if cookie in response.cookies else None
        self.record = record
        return response

    def generate_stats(self, request, response):
        record = getattr(self, "record", None)
        if record is None:
            return
        aliases = [
            {
                "alias": alias,
                "role": routing_map().role_of(alias),
                "vendor": connections[alias].vendor,
                "queries": record.queries.get(alias, []),
                "milliseconds": round(sum(query.milliseconds for query in record.queries.get(alias, [])), 2),
            }
            for alias in connections
        ]
        self.record_stats(
            {
                "aliases": aliases,
                "query_count": sum(len(queries) for queries in record.queries.values()),
                "decisions": record.decisions,
                "refused_joins": record.refused_joins,
                "token_in": record.token_in,
                "token_out": record.token_out,
            }
        )
