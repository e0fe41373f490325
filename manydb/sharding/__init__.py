"""Sharding: one app's rows spread over several databases by a key.

``ROUTES["analytics"] = ("analytics", "analytics_2")`` shards an app over
those aliases, in order; ``shard_by(Event, key=...)`` names each model's
shard key. A key goes to a shard by ``jump_hash(shard_key_hash(key), n)``.

    keys.py      the stable key hash and jump consistent hashing
    registry.py  shard_by, shard_of: which shard a key or a row lives on
    context.py   shard_for: a block whose queries go to one shard
    managers.py  ShardedManager: Model.objects.for_key(key) / .on_shard(alias)
    routing.py   what the router answers for a sharded model (or the refusal)
    fanout.py    for_each_shard: every shard at once, one down never fails the call
    ids.py       ids unique across shards: the shard in slot s issues ids from s << 48
    moves.py     while resharding: which keys move, their writes held until the cut-over
    reshard.py   manage.py reshard: exactly the rows whose shard changes, verified, resumable
"""
