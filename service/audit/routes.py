"""HTTP routes of the audit chain's anchors (verification itself: GET /api/audit/verify)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from service.audit import anchors
from service.deps import CurrentUser, RuntimeDep

router = APIRouter(prefix="/api/audit", tags=["audit"])

# Who may call each: the policy table (service/access/policy.py).


def policy_of(request: Request) -> anchors.AnchorPolicy:
    settings = request.app.state.settings
    return anchors.AnchorPolicy(
        retention_years=settings.audit_anchor_retention_years,
        interval_minutes=settings.audit_anchor_interval_minutes,
    )


class AnchorOut(BaseModel):
    """One anchor written to the write-once store (an audit_anchors row)."""

    id: int
    written_at: dt.datetime
    reason: str
    from_event_id: int
    event_id: int
    event_hash: str
    count: int
    events: int
    key: str
    version_id: str
    sha256: str
    size: int
    lock_until: dt.date


class AnchorWrittenOut(BaseModel):
    """What anchors.write_anchor wrote; nothing when the head was anchored already."""

    written: list[AnchorOut]
    event_id: int | None = Field(description="Paskutinis inkaru užfiksuotas įvykis.")


@router.post(
    "/anchors",
    response_model=AnchorWrittenOut,
    responses={201: {"model": AnchorWrittenOut, "description": "Inkaras įrašytas."}},
)
def write_anchor(request: Request, runtime: RuntimeDep, user: CurrentUser) -> JSONResponse:
    """Anchor the chain's head in the store now; 201 with what was written, 200 if the head
    was anchored already."""
    result = anchors.write_anchor(
        runtime.engine, runtime.store, policy_of(request), reason="manual", by=user.name
    )
    return JSONResponse(result, status_code=201 if result["written"] else 200)


@router.get("/anchors", response_model=list[AnchorOut])
def list_anchors(
    runtime: RuntimeDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[dict[str, Any]]:
    return anchors.listed(runtime.engine, limit)
