"""The cycle collector paused around large reads, and always resumed."""

from __future__ import annotations

import gc
import threading

import pytest

from generator.core.collecting import collector_paused


def test_the_collector_is_off_inside_and_back_on_after_even_on_error() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # a read inside a read
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a broken archive")
    assert gc.isenabled()


def test_a_collector_someone_turned_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_in_threads_resume_when_the_last_ends() -> None:
    inside, release = threading.Event(), threading.Event()

    def read() -> None:
        with collector_paused():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=read)
    worker.start()
    assert inside.wait(10)
    with collector_paused():
        pass
    assert not gc.isenabled()  # the thread's read is still running
    release.set()
    worker.join(10)
    assert gc.isenabled()
