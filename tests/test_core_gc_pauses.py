"""`fewer_gc_pauses`: what is alive is frozen and the thresholds raised inside the block,
both restored after it (also on error and when blocks nest), and cycles made inside the
block are still freed once it ends."""

from __future__ import annotations

import gc
import weakref

import pytest

from c360.core.gc_pauses import THRESHOLDS, fewer_gc_pauses


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_the_block_freezes_the_heap_and_restores_it() -> None:
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with fewer_gc_pauses():
        assert gc.get_threshold() == THRESHOLDS
        assert gc.get_freeze_count() > 0
        with fewer_gc_pauses():  # nested: the outer block keeps the setting
            assert gc.get_threshold() == THRESHOLDS
        assert gc.get_threshold() == THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_an_error_inside_restores_the_collector() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_gc_pauses():
        raise RuntimeError("build failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_inside_are_freed_after_the_block() -> None:
    with fewer_gc_pauses():
        node = _Node()
        ref = weakref.ref(node)
        del node
    gc.collect()
    assert ref() is None


def test_a_decorated_function_runs_inside_the_block() -> None:
    @fewer_gc_pauses()
    def thresholds() -> tuple[int, int, int]:
        return gc.get_threshold()

    assert thresholds() == THRESHOLDS
    assert thresholds() == THRESHOLDS  # the decorator works on every call
    assert gc.get_threshold() != THRESHOLDS
