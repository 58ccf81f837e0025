"""Our murmur2 partitioning is aiokafka's (and so the Java client's), on any key but a range's."""

import uuid

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from hypothesis import assume, given
from hypothesis import strategies as st

from shared.partitioning import default_partition, murmur2, range_key


@given(st.binary(max_size=80))
def test_the_hash_is_aiokafkas_on_any_bytes(key: bytes) -> None:
    assert murmur2(key) == aiokafka_murmur2(key)


@given(st.binary(max_size=80), st.integers(min_value=1, max_value=64))
def test_a_keyed_message_goes_where_aiokafka_sends_it(key: bytes, partitions: int) -> None:
    all_partitions = list(range(partitions))
    assert default_partition(key, all_partitions, all_partitions) == DefaultPartitioner()(
        key, all_partitions, all_partitions
    )


def test_known_hashes_of_the_java_client() -> None:
    # Values from Kafka's own UtilsTest.testMurmur2.
    assert murmur2(b"21") == -973932308 & 0xFFFFFFFF
    assert murmur2(b"foobar") == -790332482 & 0xFFFFFFFF
    assert murmur2(b"a-little-bit-long-string") == -985981536 & 0xFFFFFFFF
    assert murmur2(b"a-little-bit-longer-string") == -1486304829 & 0xFFFFFFFF
    assert murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971 & 0xFFFFFFFF
    assert murmur2(b"abc") == 479470107


@given(st.integers(min_value=1, max_value=8))
def test_an_unkeyed_message_goes_to_an_available_partition(partitions: int) -> None:
    all_partitions = list(range(partitions))
    assert default_partition(None, all_partitions, all_partitions[:1]) == 0
    assert default_partition(None, all_partitions, []) in all_partitions


@given(st.uuids(), st.integers(min_value=0, max_value=10_000), st.integers(1, 64))
def test_consecutive_ranges_of_an_import_take_consecutive_partitions(
    import_id: uuid.UUID, first_range: int, partitions: int
) -> None:
    all_partitions = list(range(partitions))
    taken = [
        default_partition(range_key(import_id, index), all_partitions, all_partitions)
        for index in range(first_range, first_range + partitions)
    ]
    assert sorted(taken) == all_partitions
    assert taken[1:] == [(partition + 1) % partitions for partition in taken[:-1]]


@given(st.uuids(), st.text(max_size=6), st.integers(1, 64))
def test_other_keys_with_a_colon_are_partitioned_as_kafka_does(
    import_id: uuid.UUID, suffix: str, partitions: int
) -> None:
    key = f"{import_id}:{suffix}".encode()
    assume(not key[37:].isdigit())
    all_partitions = list(range(partitions))
    assert default_partition(key, all_partitions, all_partitions) == DefaultPartitioner()(
        key, all_partitions, all_partitions
    )
