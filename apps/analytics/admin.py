from django.contrib import admin

from apps.analytics.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["event_type", "user_id", "path", "occurred_at"]
    list_filter = ["event_type"]
    date_hierarchy = "occurred_at"
    search_fields = ["path", "session_key"]
