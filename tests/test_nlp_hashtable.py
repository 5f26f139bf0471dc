"""The segmenter's integer hash table answers as a dict would (the speed is not asserted)."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.nlp.hashtable import IntHashTable


@pytest.mark.parametrize("n", [0, 1, 7, 1000, 50_000])
def test_get_equals_a_dict(n):
    rng = np.random.default_rng(n)
    keys = np.unique(rng.integers(0, 2**40, n))
    values = rng.integers(0, 10**6, keys.size)
    table = IntHashTable(keys, values)
    query = np.concatenate([keys, rng.integers(0, 2**40, 2000), keys[:5] + 1, [-3]])
    rng.shuffle(query)
    expected = dict(zip(keys.tolist(), values.tolist()))
    assert table.get(query, -9).tolist() == [expected.get(q, -9) for q in query.tolist()]
    assert table.get(query.reshape(-1, 1), -9).shape == (query.size, 1)


def test_clustered_keys_still_found():
    keys = np.arange(0, 5000, dtype=np.int64) << 20  # many share their home slots' neighbourhood
    table = IntHashTable(keys, keys // 7)
    assert (table.get(keys, -1) == keys // 7).all()
    assert (table.get(keys + 1, -1) == -1).all()


@pytest.mark.parametrize("keys", [[3, 2], [1, 1], [-1, 4]])
def test_unsorted_repeated_or_negative_keys_are_refused(keys):
    with pytest.raises(ValueError, match="strictly increasing"):
        IntHashTable(np.array(keys), np.zeros(len(keys)))
