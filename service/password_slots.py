"""Password checks a few at a time, for every request that checks or hashes a password.

Argon2 spends 64 MiB and tens of milliseconds a check by design, so checks run a few at a time
(``VerificationSlots``): every check or hash of a password on a request path (sign-in, one's own
password change, an administrator's reset, a new account), through the API or a page, goes
through ``password_work``. A request that cannot get a slot in a few seconds is told to retry
(``VerificationBusy``) instead of queueing threads and memory without bound: one account making
many password changes at once cannot pin the processor, nor can a sign-in storm.

The API's routes and the pages share the slots (one set per app, ``app.state.password_slots``);
both are edges, and neither imports the other for them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from anyio import to_thread
from starlette.requests import Request

from service.errors import ServiceError

# Concurrent Argon2 checks (each takes 64 MiB and, with 4 lanes, several cores for tens of
# milliseconds): half the cores, so the rest of the service keeps answering under a guessing
# storm; and how long a request waits for a slot before it is told to retry.
VERIFICATION_SLOTS = max(1, (os.cpu_count() or 2) // 2)
SLOT_WAIT_S = 3.0
RETRY_AFTER_S = 5
BUSY = "Šiuo metu jungiasi per daug žmonių. Bandykite dar kartą po kelių sekundžių."


class NoSlot(Exception):
    """Every verification slot stayed busy: the sign-in is asked to retry."""


class VerificationBusy(ServiceError):
    """No verification slot freed in time: 503 with Retry-After, as a sign-in is answered, and
    nothing was changed (the password work never started)."""

    status_code = 503
    retry_after_s = RETRY_AFTER_S


class VerificationSlots:
    """A bounded number of concurrent password checks; waiting is asynchronous, so sign-ins
    queued behind the slots hold no worker thread that other requests need."""

    def __init__(self, slots: int = VERIFICATION_SLOTS, wait_s: float = SLOT_WAIT_S) -> None:
        self._slots = slots
        self._wait_s = wait_s
        self._semaphore: asyncio.Semaphore | None = None

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self._slots)
        try:
            await asyncio.wait_for(self._semaphore.acquire(), timeout=self._wait_s)
        except TimeoutError:
            raise NoSlot from None
        try:
            yield
        finally:
            self._semaphore.release()


T = TypeVar("T")


def slots_of(request: Request) -> VerificationSlots:
    """The app's verification slots (made on first use, one set per app)."""
    state = request.app.state
    slots: VerificationSlots | None = getattr(state, "password_slots", None)
    if slots is None:
        slots = VerificationSlots()
        state.password_slots = slots
    return slots


async def password_work(request: Request, work: Callable[[], T]) -> T:
    """Run ``work`` (anything that checks or hashes a password with Argon2) in a worker thread
    while holding one of the verification slots, as sign-in does. No slot freed within the
    wait: VerificationBusy (503, Retry-After) and ``work`` never runs. The wait holds no worker
    thread. Every request path to the password functions comes here, the API's as well as the
    pages' (tests/security/test_password_slots.py finds them all in the source)."""
    try:
        async with slots_of(request).slot():
            return await to_thread.run_sync(work)
    except NoSlot:
        request.app.state.metrics.signin_failures.labels("busy").inc()
        raise VerificationBusy(BUSY) from None
