"""archive/cache.py: Django's Redis cache, its values read back as they were written."""

import os
import pickle

import pytest
from redis.connection import Encoder

from archive.cache import RedisSerializer, SharedClientRedisCache

VALUES = [
    0,
    7,
    -12,
    2**70,
    True,  # an int's subclass: pickled, and read back a bool
    "1234",  # digits as text stay text
    b"\x80 bytes that begin as a pickle does",
    ((1_733_480_000_000_000_000, None), ("<article>card</article>", "A title", "/stories/a/")),
    {"perspective": 3, "count": 41},
    None,
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_every_value_is_read_back_as_it_was_written(value):
    serializer = RedisSerializer()
    # What redis-py sends for it, and so what a read gets back.
    stored = Encoder("utf-8", "strict", decode_responses=False).encode(serializer.dumps(value))
    read = serializer.loads(stored)
    assert read == value and type(read) is type(value)


def test_an_integer_is_stored_bare_so_that_it_can_be_counted_up():
    assert RedisSerializer().dumps(41) == 41
    assert RedisSerializer().dumps(41.0)[:1] == pickle.PROTO


@pytest.mark.skipif("REDIS_URL" not in os.environ, reason="needs a Redis server (REDIS_URL)")
def test_a_redis_cache_reads_back_what_it_wrote():
    cache = SharedClientRedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-redis-cache"})
    try:
        cache.set_many({"count": 5, "card": VALUES[7], "text": "1234"})
        assert cache.incr("count") == 6
        assert cache.get_many(["count", "card", "text"]) == {
            "count": 6,
            "card": VALUES[7],
            "text": "1234",
        }
    finally:
        cache.delete_many(["count", "card", "text"])
