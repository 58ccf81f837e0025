"""How our producers partition keyed messages: Kafka's default (murmur2), computed twice as fast
as aiokafka's, except that the ranges of one file take consecutive partitions.

Every *customer created* event is keyed by its customer id, so the producer hashes a key per
row. aiokafka's pure-Python murmur2 masks and indexes one byte at a time; this one unpacks the
key's 32-bit words at once. Same hash, same partitions as aiokafka and the Java client (a
property test compares them on any bytes), so a customer's events land where any other
producer would put them.

A range key (range_key, "<import id>:<range index>", built here beside the rule that reads it)
is the one exception: hashing each range on its own put the four ranges of a 300k-row file on
one or two of four partitions in a third of imports, and the writer inserts one partition's
batches one after the other. Range i of an import goes to partition (murmur2(import id) + i)
mod partitions instead: any n consecutive ranges cover all n partitions. Only the validator
produces these keys.
"""

import random
import struct
from collections.abc import Sequence
from uuid import UUID

_SEED = 0x9747B28C
_M = 0x5BD1E995
_MASK = 0xFFFFFFFF
# A range key: an import id as text (36 characters), ":", the range's index.
_RANGE_SEPARATOR_AT = 36
_RANGE_SEPARATOR = b":"


def range_key(import_id: UUID, range_index: int) -> bytes:
    """Partition key of a range of an import's file and of its rows: one range's messages stay
    in file order, while consecutive ranges of a file take consecutive partitions
    (default_partition), so replicas and the writer's partitions share a large import."""
    return str(import_id).encode() + _RANGE_SEPARATOR + str(range_index).encode()


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 hash of `data` (org.apache.kafka.common.utils.Utils.murmur2)."""
    length = len(data)
    h = _SEED ^ length
    for word in struct.unpack_from(f"<{length >> 2}I", data):
        k = (word * _M) & _MASK
        k ^= k >> 24
        k = (k * _M) & _MASK
        h = ((h * _M) & _MASK) ^ k
    tail = length & 3
    if tail:
        rest = data[length - tail :]
        if tail == 3:
            h ^= rest[2] << 16
        if tail >= 2:
            h ^= rest[1] << 8
        h = ((h ^ rest[0]) * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    return h ^ (h >> 15)


def default_partition(
    key: bytes | None, all_partitions: Sequence[int], available: Sequence[int]
) -> int:
    """The partition Kafka's default partitioner picks (a producer's `partitioner`), but a range
    key's partition follows its import's first range."""
    if key is None:
        return random.choice(available or all_partitions)
    if key[_RANGE_SEPARATOR_AT : _RANGE_SEPARATOR_AT + 1] == _RANGE_SEPARATOR:
        range_index = key[_RANGE_SEPARATOR_AT + 1 :]
        if range_index.isdigit():
            first = murmur2(key[:_RANGE_SEPARATOR_AT]) & 0x7FFFFFFF
            return all_partitions[(first + int(range_index)) % len(all_partitions)]
    return all_partitions[(murmur2(key) & 0x7FFFFFFF) % len(all_partitions)]
