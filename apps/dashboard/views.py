from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from apps.dashboard.selectors import dashboard_sections


@login_required
def index(request):
    return render(request, "dashboard/index.html", {"sections": dashboard_sections(user=request.user)})
