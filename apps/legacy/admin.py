from django.contrib import admin

from apps.legacy.models import Customer, Order


class ReadOnlyAdmin(admin.ModelAdmin):
    """The legacy system owns these rows; the site's database user may only read them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "email", "city", "country_code"]
    search_fields = ["name", "email"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "ordered_on", "total", "status"]
    list_filter = ["status"]
    list_select_related = ["customer"]
