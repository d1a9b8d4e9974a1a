"""Issue 10 item 5: sign-in resists guessing and load.

Failures are counted per account (from anywhere), per address and against a global ceiling; a
forwarded address is believed only from a configured proxy; Argon2 checks run a few at a time
and a sign-in that finds no slot is asked to retry (503, Retry-After) instead of piling up.
The load itself is measured by `python -m bench security_signin`."""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from service import password_slots
from service.password_slots import NoSlot, VerificationSlots
from service.proxies import client_address, parse_networks
from service.settings import Settings
from service.users.accounts import create_user
from service.users.models import Role
from service.web import throttle
from service.web.throttle import SignInThrottle
from tests.conftest import Service
from tests.web.conftest import csrf_of

PASSWORD = "Slaptas-žodis-2026"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rotating_addresses_gives_no_more_guesses_at_one_account() -> None:
    clock = Clock()
    t = SignInThrottle(clock)
    for n in range(throttle.ACCOUNT_FREE_FAILURES):
        assert t.wait_seconds("rasa", f"198.51.100.{n}") == 0
        t.failed("rasa", f"198.51.100.{n}")
    assert t.wait_seconds("Rasa", "203.0.113.77") == 60  # a new address, the same account
    assert t.wait_seconds("ona", "203.0.113.77") == 0  # nobody else is held up
    clock.now += 61
    assert t.wait_seconds("rasa", "203.0.113.77") == 0
    t.failed("rasa", "203.0.113.78")
    assert t.wait_seconds("rasa", "203.0.113.79") == 120  # each further failure doubles it


def test_one_address_cannot_walk_through_many_accounts() -> None:
    t = SignInThrottle(Clock())
    for n in range(throttle.ADDRESS_FREE_FAILURES):
        t.failed(f"login-{n}", "198.51.100.7")
    assert t.wait_seconds("someone-else", "198.51.100.7") == 60
    assert t.wait_seconds("someone-else", "198.51.100.8") == 0


def test_an_ipv6_subscriber_counts_as_one_address() -> None:
    t = SignInThrottle(Clock())
    net = ipaddress.ip_network("2001:db8:1:2::/64")
    for n in range(throttle.ADDRESS_FREE_FAILURES):
        t.failed(f"login-{n}", str(net[n + 1]))
    assert t.wait_seconds("x", str(net[9999])) == 60
    assert t.wait_seconds("x", "2001:db8:1:3::1") == 0


def test_many_addresses_and_accounts_together_meet_the_global_ceiling() -> None:
    clock = Clock()
    t = SignInThrottle(clock)
    for n in range(throttle.GLOBAL_FAILURES_PER_MINUTE):
        t.failed(f"login-{n}", f"10.{n // 250}.{n % 250}.1")
    assert t.wait_seconds("fresh", "192.0.2.1") > 0
    clock.now += 61
    assert t.wait_seconds("fresh", "192.0.2.1") == 0


def test_a_success_clears_the_account_not_the_address() -> None:
    t = SignInThrottle(Clock())
    for n in range(throttle.ADDRESS_FREE_FAILURES - 1):
        t.failed(f"login-{n}", "198.51.100.7")
    t.failed("rasa", "198.51.100.7")
    t.succeeded("rasa", "198.51.100.7")
    assert t.wait_seconds("rasa", "198.51.100.9") == 0
    assert t.wait_seconds("other", "198.51.100.7") == 60


def test_forwarded_addresses_are_believed_only_from_a_configured_proxy() -> None:
    proxies = parse_networks("10.0.0.5, 192.168.1.0/24")
    spoofed = "1.2.3.4, 5.6.7.8"
    assert client_address("203.0.113.9", spoofed, proxies) == "203.0.113.9"
    assert client_address("127.0.0.1", spoofed, ()) == "127.0.0.1"  # none by default
    # From the proxy: the nearest address that is not a proxy (the client wrote the rest).
    assert client_address("10.0.0.5", "1.2.3.4, 198.51.100.20", proxies) == "198.51.100.20"
    assert client_address("10.0.0.5", "198.51.100.20, 192.168.1.3", proxies) == "198.51.100.20"
    assert client_address("10.0.0.5", "nonsense, 198.51.100.20", proxies) == "198.51.100.20"
    assert client_address("10.0.0.5", "198.51.100.20, nonsense", proxies) == "10.0.0.5"
    assert client_address("10.0.0.5", None, proxies) == "10.0.0.5"


def test_the_trusted_proxy_setting_is_checked() -> None:
    assert Settings(trusted_proxies="").trusted_proxies == ""
    with pytest.raises(ValueError, match=re.escape("BYLOS_TRUSTED_PROXIES: „proxy.local“")):
        Settings(trusted_proxies="10.0.0.1, proxy.local")


def test_verification_slots_bound_the_concurrent_checks() -> None:
    async def scenario() -> tuple[int, bool]:
        slots = VerificationSlots(slots=2, wait_s=0.2)
        inside = 0
        peak = 0
        release = asyncio.Event()

        async def check() -> None:
            nonlocal inside, peak
            async with slots.slot():
                inside += 1
                peak = max(peak, inside)
                await release.wait()
                inside -= 1

        holders = [asyncio.create_task(check()) for _ in range(2)]
        await asyncio.sleep(0.05)
        refused = False
        try:
            async with slots.slot():
                pass
        except NoSlot:
            refused = True
        release.set()
        await asyncio.gather(*holders)
        async with slots.slot():  # free again once the checks end
            pass
        return peak, refused

    peak, refused = asyncio.run(scenario())
    assert peak == 2 and refused


def _staff(service: Service, login: str) -> None:
    from service.db import session_scope

    with session_scope(service.engine) as session:
        create_user(
            session, name=f"Darbuotoja {login}", position="Darbuotoja",
            roles=[Role.office_manager], login=login, password=PASSWORD,
        )  # fmt: skip


def test_a_forged_x_forwarded_for_does_not_reset_the_count(service: Service) -> None:
    _staff(service, "rasa")
    token = csrf_of(service.client.get("/prisijungti").text)
    for n in range(throttle.ACCOUNT_FREE_FAILURES):
        wrong = service.client.post(
            "/prisijungti",
            data={"login": "rasa", "password": f"spėjimas{n}", "csrf": token},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        )
        assert wrong.status_code == 401
    held = service.client.post(
        "/prisijungti",
        data={"login": "rasa", "password": PASSWORD, "csrf": token},
        headers={"X-Forwarded-For": "203.0.113.200"},
    )
    assert held.status_code == 429
    assert "Per daug nesėkmingų bandymų" in held.text
    assert int(held.headers["Retry-After"]) > 0


def test_no_free_verification_slot_answers_503_with_retry_after(service: Service) -> None:
    _staff(service, "rasa")
    app = service.client.app
    token = csrf_of(service.client.get("/prisijungti").text)

    class Busy(VerificationSlots):
        """Every slot taken (the semaphore itself is tested above)."""

        @asynccontextmanager
        async def slot(self) -> AsyncIterator[None]:
            raise NoSlot
            yield  # pragma: no cover

    app.state.password_slots = Busy()  # type: ignore[attr-defined]
    busy = service.client.post(
        "/prisijungti", data={"login": "rasa", "password": PASSWORD, "csrf": token}
    )
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == str(password_slots.RETRY_AFTER_S)
    assert "Šiuo metu jungiasi per daug žmonių" in busy.text
    # Not counted as a failure: the right password works once a slot is free.
    app.state.password_slots = VerificationSlots()  # type: ignore[attr-defined]
    ok = service.client.post(
        "/prisijungti",
        data={"login": "rasa", "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303
