"""The home page's warnings for the people who keep Bylos safe: the last backup and the last
clean fixity run, when older than the ages the operator set (BYLOS_BACKUP_MAX_AGE_HOURS,
BYLOS_FIXITY_MAX_AGE_DAYS). Nothing is shown while both are recent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from sqlmodel import Session, col, select

from service.operations.metrics import last_clean_fixity
from service.operations.models import BackupRun, BackupStatus
from service.timeutil import VILNIUS
from service.users.models import Role, User

KEEPERS: Final = frozenset({Role.admin, Role.archivist})


@dataclass(frozen=True, slots=True)
class Notice:
    """One warning for the home page (shown there as a due item)."""

    title: str
    text: str
    link: str
    link_label: str


def _when(at: dt.datetime) -> str:
    return at.astimezone(VILNIUS).strftime("%Y-%m-%d %H:%M")


def _ago(age: dt.timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:.0f} val." if hours < 48 else f"{hours / 24:.0f} d."


def operations_due(
    session: Session,
    user: User,
    now: dt.datetime,
    *,
    backup_max_age: dt.timedelta,
    fixity_max_age: dt.timedelta,
) -> list[Notice]:
    if not user.role_set & KEEPERS:
        return []
    items: list[Notice] = []
    backup = session.exec(
        select(BackupRun)
        .where(BackupRun.status == BackupStatus.completed)
        .order_by(col(BackupRun.finished_at).desc())
        .limit(1)
    ).first()
    backup_at = backup.finished_at if backup else None
    if backup_at is None or now - backup_at > backup_max_age:
        items.append(
            Notice(
                title="Atsarginė kopija pasenusi",
                text=(
                    "Atsarginė kopija dar nedaryta."
                    if backup_at is None
                    else f"Paskutinė atsarginė kopija baigta {_when(backup_at)} "
                    f"(prieš {_ago(now - backup_at)}); ne senesnė kaip {_ago(backup_max_age)}."
                ),
                link="/archyvas/atsargines-kopijos",
                link_label="Atsarginės kopijos",
            )
        )
    clean = last_clean_fixity(session)
    clean_at = clean.finished_at if clean else None
    if clean_at is None or now - clean_at > fixity_max_age:
        items.append(
            Notice(
                title="Vientisumo patikra pasenusi",
                text=(
                    "Tvarkingos vientisumo patikros dar nebuvo."
                    if clean_at is None
                    else f"Paskutinė tvarkinga vientisumo patikra baigta {_when(clean_at)} "
                    f"(prieš {_ago(now - clean_at)}); ne senesnė kaip {_ago(fixity_max_age)}."
                ),
                link="/archyvas",
                link_label="Vientisumo patikros",
            )
        )
    return items
