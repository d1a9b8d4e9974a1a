"""Slowing down password guessing, and keeping sign-in from exhausting the machine.

Three counters of failed sign-ins, each with its own allowance (kept in memory: `bylos serve`
is one process, and a restart forgetting them costs an attacker a restart, which they cannot
cause):
- per account (the login, from anywhere): rotating addresses does not give more guesses;
- per address (an IPv6 /64 counts as one): one machine cannot walk through many logins;
- a global ceiling on failures a minute: many machines cannot either, all together.
Past an allowance each further failure doubles the wait (1 min, 2 min ... 15 min).

The Argon2 checks themselves run a few at a time (service/password_slots.py).

The address is the TCP peer's. Forwarded headers are believed only when that peer is one of the
proxies the operator named (BYLOS_TRUSTED_PROXIES): anyone else could write any address there.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

ACCOUNT_FREE_FAILURES = 5
ADDRESS_FREE_FAILURES = 20
GLOBAL_FAILURES_PER_MINUTE = 100
FIRST_WAIT_S = 60.0
MAX_WAIT_S = 15 * 60.0


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0


class SignInThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._accounts: dict[str, _Record] = {}
        self._addresses: dict[str, _Record] = {}
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()

    @staticmethod
    def _account(login: str) -> str:
        return " ".join(login.split()).casefold()

    @staticmethod
    def _address(address: str) -> str:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return address
        if ip.version == 6:
            # One subscriber gets a whole /64: counting single addresses would let them rotate.
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        return str(ip)

    def _wait(self, record: _Record | None, now: float) -> float:
        return 0.0 if record is None else max(0.0, record.locked_until - now)

    def _global_wait(self, now: float) -> float:
        while self._recent and self._recent[0] <= now - 60.0:
            self._recent.popleft()
        if len(self._recent) < GLOBAL_FAILURES_PER_MINUTE:
            return 0.0
        return self._recent[0] + 60.0 - now

    def wait_seconds(self, login: str, address: str) -> int:
        """How long this attempt must still wait (0: may try now)."""
        with self._lock:
            now = self._clock()
            wait = max(
                self._wait(self._accounts.get(self._account(login)), now),
                self._wait(self._addresses.get(self._address(address)), now),
                self._global_wait(now),
            )
            return math.ceil(wait)

    @staticmethod
    def _count(record: _Record, free: int, now: float) -> None:
        record.failures += 1
        over = record.failures - free
        if over >= 0:
            record.locked_until = now + min(MAX_WAIT_S, FIRST_WAIT_S * 2**over)

    def failed(self, login: str, address: str) -> None:
        with self._lock:
            now = self._clock()
            account = self._accounts.setdefault(self._account(login), _Record())
            self._count(account, ACCOUNT_FREE_FAILURES, now)
            place = self._addresses.setdefault(self._address(address), _Record())
            self._count(place, ADDRESS_FREE_FAILURES, now)
            self._recent.append(now)
            if len(self._accounts) + len(self._addresses) > 20_000:
                self._forget_expired(now)

    def succeeded(self, login: str, address: str) -> None:
        # The account's count starts again; the address keeps its own (one right password
        # must not wipe the guesses made at other accounts from there).
        with self._lock:
            self._accounts.pop(self._account(login), None)

    def _forget_expired(self, now: float) -> None:
        for table in (self._accounts, self._addresses):
            for key in [k for k, r in table.items() if r.locked_until < now]:
                del table[key]
