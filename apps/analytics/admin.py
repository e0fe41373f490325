"""Events in the admin, one shard at a time.

Events are sharded, so every admin page names its shard: the list has a
"Shard" filter (the first shard unless another is chosen), and an event's
own pages find its shard from its id (each shard issues ids from its own
range, see manydb.sharding.ids), else by asking each shard.
"""

from django.contrib import admin

from apps.analytics.models import Event
from manydb import shard_for, shard_of_id

SHARD_PARAMETER = "shard"


class ShardFilter(admin.SimpleListFilter):
    """Which shard the list shows; there is no "all": a page of rows comes from one database."""

    title = "shard"
    parameter_name = SHARD_PARAMETER

    def lookups(self, request, model_admin):
        return [(alias, alias) for alias in Event.objects.shards()]

    def queryset(self, request, queryset):
        return queryset  # EventAdmin.get_queryset already reads from the chosen shard

    def choices(self, changelist):
        chosen = shard_chosen(changelist.params.get(SHARD_PARAMETER))
        for alias, title in self.lookup_choices:
            yield {
                "selected": alias == chosen,
                "query_string": changelist.get_query_string({SHARD_PARAMETER: alias}),
                "display": title,
            }


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["event_type", "user_id", "path", "occurred_at"]
    list_filter = [ShardFilter, "event_type"]
    date_hierarchy = "occurred_at"
    search_fields = ["path", "session_key"]

    def get_queryset(self, request):
        return super().get_queryset(request).using(self.shard(request))

    def get_object(self, request, object_id, from_field=None):
        """The event on the shard its id names; a moved event is looked for on the others."""
        hinted = self.shard(request)
        for alias in [hinted, *(alias for alias in Event.objects.shards() if alias != hinted)]:
            queryset = super().get_queryset(request).using(alias)
            field = Event._meta.get_field(from_field) if from_field else Event._meta.pk
            try:
                return queryset.get(**{field.name: field.to_python(object_id)})
            except (Event.DoesNotExist, ValueError, TypeError):
                continue
        return None

    def shard(self, request) -> str:
        """The shard this request is about: the list's filter, else the event's id, else the first."""
        object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        if object_id is not None and str(object_id).isdigit():
            return shard_of_id(Event, int(object_id)) or Event.objects.shards()[0]
        return shard_chosen(request.GET.get(SHARD_PARAMETER))

    # Django's admin asks the router where to open its transactions and
    # deletions: inside the request's shard. Pages render before the block
    # ends, so their queries run there too.
    def changelist_view(self, request, extra_context=None):
        return self._on_shard(request, super().changelist_view, extra_context=extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._on_shard(request, super().changeform_view, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._on_shard(request, super().delete_view, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        return self._on_shard(request, super().history_view, object_id, extra_context)

    def _on_shard(self, request, view, *args, **kwargs):
        with shard_for(Event, shard=self.shard(request)):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        return response


def shard_chosen(value: str | None) -> str:
    shards = Event.objects.shards()
    return value if value in shards else shards[0]
