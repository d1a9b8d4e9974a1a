"""The registers a fresh installation starts with (data, editable later by the admin)."""

from __future__ import annotations

import json
from importlib import resources

from sqlmodel import Session

from service.db import insert_ignoring_conflicts
from service.registry.models import Register


def ensure_default_registers(session: Session) -> None:
    raw = json.loads(
        resources.files("service.registry").joinpath("default_registers.json").read_text()
    )
    insert_ignoring_conflicts(
        session,
        Register,
        [
            {
                "code": r["code"],
                "title": r["title"],
                "case_index": r["case_index"],
                "number_format": r.get("number_format", "{code}-{seq}"),
                "yearly_restart": True,
            }
            for r in raw["registers"]
        ],
    )
