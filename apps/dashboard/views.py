from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.dashboard import charts
from apps.dashboard.selectors import dashboard_sections
from apps.dashboard.topology import topology_diagram


@require_safe
@login_required
def index(request):
    sections = dashboard_sections(user=request.user)
    context = {"sections": sections}
    if request.user.is_staff:
        context.update(
            wide=topology_diagram(sections, "wide"),
            tall=topology_diagram(sections, "tall"),
            events_chart=_chart(sections["events_per_day"], charts.events_per_day),
            posts_chart=_chart(sections["posts_per_week"], charts.posts_per_week),
            sizes_chart=charts.database_sizes(
                {alias: s.value["size"] if s.available else None for alias, s in sections["databases"].items()}
            ),
        )
    return render(request, "dashboard/index.html", context)


def _chart(section, draw):
    return draw(section.value) if section.available else None
