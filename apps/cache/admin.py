from django.contrib import admin

from apps.cache.models import CacheEntry


@admin.register(CacheEntry)
class CacheEntryAdmin(admin.ModelAdmin):
    list_display = ["key", "created_at", "expires_at"]
    search_fields = ["key"]
