"""Slowing down password guessing: after a few failures for one login from one address, wait.

Kept in memory: `bylos serve` is one process, and a restart forgetting the count costs an
attacker a restart each time, which they cannot cause.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

FREE_FAILURES = 5
FIRST_WAIT_S = 60.0
MAX_WAIT_S = 15 * 60.0


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0


class SignInThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._records: dict[tuple[str, str], _Record] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(login: str, address: str) -> tuple[str, str]:
        return (" ".join(login.split()).casefold(), address)

    def wait_seconds(self, login: str, address: str) -> int:
        """How long this login from this address must still wait (0: may try now)."""
        with self._lock:
            record = self._records.get(self._key(login, address))
            if record is None:
                return 0
            return max(0, math.ceil(record.locked_until - self._clock()))

    def failed(self, login: str, address: str) -> None:
        with self._lock:
            record = self._records.setdefault(self._key(login, address), _Record())
            record.failures += 1
            over = record.failures - FREE_FAILURES
            if over >= 0:
                # Each further failure doubles the wait: 1 min, 2 min, 4 min ... 15 min.
                wait = min(MAX_WAIT_S, FIRST_WAIT_S * 2**over)
                record.locked_until = self._clock() + wait
            if len(self._records) > 10_000:
                self._forget_expired()

    def succeeded(self, login: str, address: str) -> None:
        with self._lock:
            self._records.pop(self._key(login, address), None)

    def _forget_expired(self) -> None:
        now = self._clock()
        for key in [k for k, r in self._records.items() if r.locked_until < now]:
            del self._records[key]
