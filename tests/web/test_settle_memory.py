"""``settle_memory``: what the server does to the garbage collector once the app is built."""

from __future__ import annotations

import gc

from ecoute.web.app import GC_YOUNG_THRESHOLD, settle_memory


def test_start_up_objects_are_frozen_and_young_collections_are_rarer():
    before = gc.get_threshold()
    try:
        settle_memory()
        frozen, threshold = gc.get_freeze_count(), gc.get_threshold()
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)

    assert frozen > 10_000  # the modules, routes and templates loaded so far
    assert gc.get_freeze_count() == 0  # unfrozen again for the other tests
    assert threshold == (GC_YOUNG_THRESHOLD, before[1], before[2])
