"""The public shapes of cases and documentation plans (api-contract.md, "Cases")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from retention.rules import RuleSet
from service.cases.models import Case, DocumentationPlan, PlanChange
from service.cases.plan import area_of, areas_of, cases_of, changes_of, document_counts
from service.params import CASE_INDEX_PATTERN, MAX_YEAR, MIN_YEAR
from service.validation import IsoDate, Text, exactly


class CaseOut(BaseModel):
    index: str
    title: str
    year: int
    status: str
    retention_rule: str
    documents: int
    area: str
    registers: list[str]
    retention_term: str | None
    closed_on: dt.date | None
    inventory: dict[str, str] | None = None


class AreaOut(BaseModel):
    index: str
    title: str
    cases: list[CaseOut]


class ChangeOut(BaseModel):
    at: dt.datetime
    user: str
    action: str
    subject: str
    before: dict[str, object] | None
    after: dict[str, object] | None
    after_approval: bool


class PlanOut(BaseModel):
    year: int
    status: str
    approved_by: str | None
    approved_at: dt.datetime | None
    areas: list[AreaOut]
    changes: list[ChangeOut]


def case_out(case: Case, documents: int, rules: RuleSet) -> CaseOut:
    return CaseOut(
        index=case.index,
        title=case.title,
        year=case.year,
        status=case.status.value,
        retention_rule=case.retention_rule,
        documents=documents,
        area=area_of(case.index),
        registers=case.register_codes,
        retention_term=rules.get(case.retention_rule).term
        if case.retention_rule in rules
        else None,
        closed_on=case.closed_on,
    )


def cases_out(session: Session, cases: list[Case], rules: RuleSet) -> list[CaseOut]:
    counts = document_counts(session, [c.id for c in cases if c.id is not None])
    return [case_out(c, counts.get(c.id or 0, 0), rules) for c in cases]


def _change_out(change: PlanChange) -> ChangeOut:
    return ChangeOut(
        at=change.at,
        user=change.user_name,
        action=change.action,
        subject=change.subject,
        before=change.before,
        after=change.after,
        after_approval=change.after_approval,
    )


def plan_out(session: Session, plan: DocumentationPlan, rules: RuleSet) -> PlanOut:
    cases = cases_out(session, cases_of(session, plan.year), rules)
    return PlanOut(
        year=plan.year,
        status=plan.status.value,
        approved_by=plan.approved_by_name,
        approved_at=plan.approved_at,
        areas=[
            AreaOut(index=a.index, title=a.title, cases=[c for c in cases if c.area == a.index])
            for a in areas_of(session, plan.year)
        ],
        changes=[_change_out(c) for c in changes_of(session, plan.year)],
    )


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


RegisterCodes = Annotated[list[Text], Field(max_length=50)]
# A case index as plan.CASE_INDEX checks it (in its own words).
CaseIndexText = Annotated[Text, Field(json_schema_extra=exactly(pattern=CASE_INDEX_PATTERN))]


class CloseRequest(_Body):
    # The plan years the handler takes (plan.validate_year refuses others in its own words).
    year: int = Field(
        ge=1900, le=2200, json_schema_extra={"minimum": MIN_YEAR, "maximum": MAX_YEAR}
    )
    indexes: list[CaseIndexText] | None = Field(default=None, max_length=2000)
    closed_on: IsoDate | None = None


class CaseIn(_Body):
    index: CaseIndexText
    title: Text
    retention_rule: Text
    registers: RegisterCodes = Field(default_factory=list)


class CaseChange(_Body):
    title: Text | None = None
    retention_rule: Text | None = None
    registers: RegisterCodes | None = None


class AreaIn(_Body):
    title: Text
