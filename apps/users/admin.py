from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from apps.users.models import User
from apps.users.services import GHOST_USERNAME


@admin.register(User)
class SiteUserAdmin(UserAdmin):
    def has_delete_permission(self, request, obj=None):
        # The "[deleted]" account holds deleted accounts' posts: deleting it
        # would be refused by the blog's policy (ProtectedError), so the admin
        # does not offer it.
        if obj is not None and obj.username == GHOST_USERNAME:
            return False
        return super().has_delete_permission(request, obj)
