"""HTTP routes: the school profile, read by any signed-in person, changed by the admin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from service.contract import json_body
from service.deps import CurrentUser, RuntimeDep, SessionDep
from service.school_profile import profile
from service.settings import SchoolProfile
from service.validation import parse_payload

router = APIRouter(prefix="/api/school", tags=["school"])
ACTION = "keisti mokyklos duomenis"


@router.get("", response_model=SchoolProfile)
def get_school(runtime: RuntimeDep, user: CurrentUser) -> SchoolProfile:
    return runtime.school


@router.put("", response_model=SchoolProfile, openapi_extra=json_body(profile.SchoolProfileIn))
def put_school(
    runtime: RuntimeDep,
    session: SessionDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
) -> SchoolProfile:
    changed = parse_payload(profile.SchoolProfileIn, body).profile()
    profile.save(session, changed, user, before=runtime.school)
    session.commit()
    # Documents issued from now on carry it; the running service holds it like the rules.
    runtime.school = changed
    return changed
