"""Which address a request comes from, when a reverse proxy may stand in between.

The TCP peer is the answer, unless the peer is one of the proxies the operator named
(BYLOS_TRUSTED_PROXIES): only then is X-Forwarded-For believed, since anyone else could write
any address there.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> tuple[Network, ...]:
    """``"10.0.0.5, 192.168.1.0/24"`` -> networks; ValueError naming the bad entry."""
    networks: list[Network] = []
    for part in value.replace(";", ",").split(","):
        text = part.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(
                f"BYLOS_TRUSTED_PROXIES: „{text}“ nėra IP adresas ar tinklas (pvz., 10.0.0.5 "
                "arba 10.0.0.0/24)"
            ) from None
    return tuple(networks)


def _trusted(host: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str, forwarded_for: str | None, proxies: Sequence[Network]) -> str:
    """Who is really asking: the peer, unless the peer is a trusted proxy; then the nearest
    address in X-Forwarded-For that is not one of the trusted proxies (read from the right,
    since everything left of the proxy's own entry is what the client wrote)."""
    if not proxies or not _trusted(peer, proxies) or not forwarded_for:
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            # A malformed entry: nothing left of it can be believed either.
            return peer
        if not _trusted(hop, proxies):
            return hop
    return peer
