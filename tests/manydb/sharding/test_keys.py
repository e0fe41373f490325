"""The shard key hash and jump consistent hashing: stable, balanced, minimal moves."""

from collections import Counter

import pytest

from manydb import jump_hash, shard_key_hash


def test_int_keys_hash_with_splitmix64():
    # splitmix64's first output from state 0 (Vigna's reference implementation).
    assert shard_key_hash(0) == 0xE220A8397B1DCDAF
    assert shard_key_hash(1) == 0x910A2DEC89025CC1


def test_str_keys_hash_with_blake2b_8_bytes():
    assert shard_key_hash("abc") == 0xD8BB14D833D59559
    assert shard_key_hash("") != shard_key_hash("0")


def test_the_hash_is_64_bits_and_not_pythons_hash():
    for key in (0, 1, 2**63, -1, "session", "é"):
        assert 0 <= shard_key_hash(key) < 2**64
    assert shard_key_hash(42) != hash(42)


@pytest.mark.parametrize("key", [None, 1.5, b"bytes", True])
def test_other_types_are_refused(key):
    with pytest.raises(TypeError, match="int or a str"):
        shard_key_hash(key)


@pytest.mark.parametrize(
    ("key_hash", "buckets", "bucket"),
    # The reference implementation's published vectors (Lamping & Veach's
    # algorithm as in the Go package github.com/dgryski/go-jump).
    [(1, 1, 0), (42, 57, 43), (0xDEAD10CC, 1, 0), (0xDEAD10CC, 666, 361), (256, 1024, 520)],
)
def test_jump_hash_matches_the_reference_vectors(key_hash, buckets, bucket):
    assert jump_hash(key_hash, buckets) == bucket


def test_known_user_ids_keep_their_shards():
    # Fixed forever: changing these moves existing users' events.
    assert [jump_hash(shard_key_hash(user_id), 2) for user_id in range(1, 11)] == [0, 0, 1, 0, 0, 0, 1, 0, 1, 0]
    assert [jump_hash(shard_key_hash(user_id), 3) for user_id in range(1, 11)] == [0, 0, 1, 2, 2, 0, 1, 0, 2, 2]


def test_jump_hash_needs_a_bucket():
    with pytest.raises(ValueError, match="at least one bucket"):
        jump_hash(1, 0)


@pytest.mark.parametrize("buckets", [2, 3, 5])
def test_keys_spread_evenly(buckets):
    keys = 100_000
    counts = Counter(jump_hash(shard_key_hash(user_id), buckets) for user_id in range(1, keys + 1))
    assert set(counts) == set(range(buckets))
    for count in counts.values():
        assert abs(count - keys / buckets) / (keys / buckets) < 0.03


def test_string_keys_spread_evenly_too():
    keys = 100_000
    counts = Counter(jump_hash(shard_key_hash(f"session-{n}"), 2) for n in range(keys))
    assert abs(counts[0] - counts[1]) / keys < 0.03


@pytest.mark.parametrize("before", [1, 2, 3, 7])
def test_adding_a_bucket_moves_keys_only_to_the_new_one(before):
    keys = 100_000
    moved = 0
    for user_id in range(keys):
        key_hash = shard_key_hash(user_id)
        old, new = jump_hash(key_hash, before), jump_hash(key_hash, before + 1)
        if old != new:
            assert new == before
            moved += 1
    # About 1/(n + 1) of the keys move.
    assert abs(moved / keys - 1 / (before + 1)) < 0.01
