"""A case's index in the documentation plan ("1.1", "4.6 E"): checked and sorted the same way by
the plan, the registers that name a case and the archive's holds, so it lives below them all."""

from __future__ import annotations

import re

from service.errors import InvalidPayload

# "1.1", "4.6 E": numbered activity area, case number, and a trailing " E" for electronic cases.
CASE_INDEX = re.compile(r"^\d+(\.\d+)+( E)?$")


def index_key(index: str) -> tuple[int, ...]:
    """Sort "1.2" before "1.10" and "3.5 E" with the 3.x cases."""
    return tuple(int(part) for part in index.removesuffix(" E").split("."))


def validate_index(index: str) -> str:
    if not CASE_INDEX.match(index):
        raise InvalidPayload(
            f"Netinkamas bylos indeksas „{index}“: turi būti, pvz., „1.1“ arba „4.6 E“."
        )
    return index
