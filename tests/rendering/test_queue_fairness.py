"""The conversion queue's admission, as pure logic (no LibreOffice): places go to the waiting
users in turn, a request that waits too long is refused, and nobody's place leaks."""

from __future__ import annotations

import threading
import time

import pytest

from service.errors import ConverterBusy
from service.rendering.queue import ConversionQueue


class _NoWorkers:
    """Admission never converts; the queue only asks the pool its size and whether it runs."""

    size = 1
    restarts = 0
    crashes = 0

    def convert_to_pdfa(self, docx: bytes) -> bytes:
        raise AssertionError("admission tests convert nothing")

    def convert_joined(self, docx: bytes, documents: int = 1) -> bytes:
        raise AssertionError("admission tests convert nothing")

    def ping(self) -> None:
        return None

    def check_available(self) -> None:
        return None


def _waiter(
    queue: ConversionQueue, owner: str, order: list[str], release: threading.Event
) -> threading.Thread:
    def hold() -> None:
        with queue.reserve(owner):
            order.append(owner)
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    return thread


def _wait_waiting(queue: ConversionQueue, count: int) -> None:
    deadline = time.monotonic() + 10
    while queue.waiting < count:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_places_go_to_waiting_users_in_turn() -> None:
    with ConversionQueue(_NoWorkers(), capacity=1, wait_s=10) as queue:
        order: list[str] = []
        release = threading.Event()
        threads = []
        with queue.reserve("bulk"):
            for i in range(5):  # the bulk user's batch fills the line first
                threads.append(_waiter(queue, "bulk", order, release))
                _wait_waiting(queue, i + 1)
            threads.append(_waiter(queue, "single", order, release))
            _wait_waiting(queue, 6)
        # One place: each holder keeps it until released; release them all and see the order.
        release.set()
        for thread in threads:
            thread.join(10)
        # The single request went first although five of the bulk user's were waiting before
        # it; a first-come line would have served it last.
        assert order.index("single") == 0
        assert len(order) == 6
        assert queue.waiting == 0


def test_users_alternate_while_both_wait() -> None:
    with ConversionQueue(_NoWorkers(), capacity=1, wait_s=10) as queue:
        order: list[str] = []
        gate = threading.Event()
        threads = []
        with queue.reserve("a"):
            for owner in ("a", "a", "a", "b", "b", "b"):
                threads.append(_waiter(queue, owner, order, gate))
                _wait_waiting(queue, len(threads))
        gate.set()
        for thread in threads:
            thread.join(10)
        assert order == ["b", "a", "b", "a", "b", "a"]


def test_a_request_that_waits_too_long_is_refused_and_leaves_no_trace() -> None:
    with ConversionQueue(_NoWorkers(), capacity=1, wait_s=0.2) as queue:
        with queue.reserve("holder"):
            with pytest.raises(ConverterBusy) as refused, queue.reserve("late"):
                raise AssertionError("no place was free")
            assert "numeris nepanaudotas" in refused.value.detail
            assert queue.waiting == 0
        assert queue.stats.refused == 1
        with queue.reserve("late"):  # the place came back
            pass


def test_a_full_line_refuses_the_next_request() -> None:
    with ConversionQueue(_NoWorkers(), capacity=1, wait_s=10, max_waiting=0) as queue:
        with queue.reserve("holder"):
            with pytest.raises(ConverterBusy), queue.reserve("another"):
                pass
            assert queue.waiting == 0
        assert queue.stats.refused == 1
