"""Shard keys to shards: a stable 64-bit hash, then jump consistent hashing.

``shard_key_hash`` never uses Python's ``hash()``, which differs between
processes for strings: every process, and every release of this code, must
send a key to the same shard. Integers are mixed with splitmix64's
finaliser (consecutive user ids must not land on consecutive buckets);
strings are hashed with BLAKE2b, 8 bytes.

``jump_hash`` is Lamping and Veach's jump consistent hash ("A Fast, Minimal
Memory, Consistent Hash Algorithm", 2014): going from n to n + 1 buckets
moves about 1/(n + 1) of the keys, every one of them to the new bucket, so a
reshard copies only what must move.
"""

import hashlib

_MASK = (1 << 64) - 1


def shard_key_hash(key: int | str) -> int:
    """A stable unsigned 64-bit hash of a shard key (an int or a str)."""
    if isinstance(key, bool) or not isinstance(key, int | str):
        raise TypeError(f"A shard key is an int or a str, not {type(key).__name__}: {key!r}")
    if isinstance(key, str):
        return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
    z = (key + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def jump_hash(key_hash: int, buckets: int) -> int:
    """The bucket in ``range(buckets)`` of a 64-bit key hash (jump consistent hash)."""
    if buckets < 1:
        raise ValueError(f"jump_hash needs at least one bucket, not {buckets}")
    key = key_hash & _MASK
    bucket, jump = -1, 0
    while jump < buckets:
        bucket = jump
        key = (key * 2862933555777941757 + 1) & _MASK
        jump = int((bucket + 1) * ((1 << 31) / ((key >> 33) + 1)))
    return bucket
