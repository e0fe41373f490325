"""A manager whose querysets name their shard: by key, or by alias."""

from django.db import models

from manydb.sharding.registry import shard_of, shard_of_instance, shards_of_model


class ShardedQuerySet(models.QuerySet):
    """A queryset that names its shard; ``create`` and ``bulk_create`` find it from the rows' keys.

    A new row always goes to its key's shard unless the queryset names one
    (``for_key``, ``on_shard``, ``using``): inside ``shard_for`` too, which
    sends queries, not rows, to its shard.
    """

    def for_key(self, key: int | str):
        """This queryset on the shard holding ``key``'s rows.

        It names the shard, not the rows: filter on the key as well to read
        only that key's rows (other keys share the shard).
        """
        return self.using(shard_of(self.model, key))

    def on_shard(self, alias: str):
        """This queryset on one shard, by alias (for per-shard work: totals, maintenance)."""
        shards = shards_of_model(self.model)
        if alias not in shards:
            raise ValueError(f"'{alias}' is not a shard of {self.model._meta.label} (its shards: {', '.join(shards)})")
        return self.using(alias)

    def create(self, **kwargs):
        """Create the row on its key's shard (or on the shard this queryset names)."""
        if self._db is not None:
            return super().create(**kwargs)
        instance = self.model(**kwargs)
        # No alias: the router places the instance by its key (manydb.sharding.routing).
        instance.save(force_insert=True)
        return instance

    def bulk_create(self, objs, *args, **kwargs):
        """Insert the rows on their keys' shards, one bulk insert per shard (or all on the shard named)."""
        if self._db is not None:
            return super().bulk_create(objs, *args, **kwargs)
        by_shard: dict[str, list] = {}
        for instance in objs:
            by_shard.setdefault(shard_of_instance(instance), []).append(instance)
        for alias, instances in by_shard.items():
            self.using(alias).bulk_create(instances, *args, **kwargs)
        return objs


class ShardedManager(models.Manager.from_queryset(ShardedQuerySet)):
    """``Model.objects.for_key(key)`` and ``Model.objects.on_shard(alias)``; anything else needs
    a surrounding ``manydb.shard_for`` (the router refuses a query naming no shard)."""

    def shards(self) -> tuple[str, ...]:
        """The model's shards, in order."""
        return shards_of_model(self.model)
