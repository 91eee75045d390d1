"""Packed topic vectors: small, and close to the vectors they were made from."""

from __future__ import annotations

import numpy as np
import pytest

from ecoute.topics.packing import pack, unpack, unpack_many


def test_a_packed_vector_takes_one_byte_a_component_and_keeps_its_direction() -> None:
    vector = np.random.default_rng(0).normal(size=896).astype(np.float32)
    vector /= np.linalg.norm(vector)
    data = pack(vector)
    copy = unpack(data)
    assert len(data) == 896 + 4
    assert float(copy @ vector / np.linalg.norm(copy)) > 0.999


def test_a_zero_vector_and_many_vectors_round_trip() -> None:
    assert not unpack(pack(np.zeros(8))).any()
    rows = unpack_many([pack(np.array([1.0, -0.5])), pack(np.array([0.0, 2.0]))])
    assert rows.shape == (2, 2)
    assert np.allclose(rows, [[1.0, -0.5], [0.0, 2.0]], atol=0.01)


def test_truncated_bytes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 4 bytes"):
        unpack(b"\x00")
