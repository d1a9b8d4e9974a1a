"""What is due, for the home page: read-only questions over the records, one function each
(here in operations/, which sits above every feature it asks about).

Each item knows who needs to see it (roles) and where the person goes to act on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from babel.dates import format_date
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from service.archive.models import Disposal, DisposalStatus
from service.cases.models import Case, CaseStatus
from service.db import session_scope
from service.documents import duties
from service.documents.kinds import KindSpec
from service.documents.models import Document
from service.documents.notifications import Notification
from service.lt import long_date
from service.operations.notice import operations_due
from service.registry.models import EntryStatus, RegistryEntry
from service.school_year.calendars import EDITORS as CALENDAR_EDITORS
from service.timeutil import VILNIUS, utcnow
from service.users.models import Role, User

RECENT_DAYS = 7
LIST_LIMIT = 10

STAFF_KEEPERS = frozenset({Role.office_manager, Role.admin, Role.director})
CASE_KEEPERS = frozenset({Role.office_manager, Role.archivist, Role.director})
REGISTER_KEEPERS = frozenset({Role.office_manager, Role.archivist, Role.director})
DISPOSAL_DECIDERS = frozenset({Role.archivist, Role.director})
# The notifications API's readers (service/web/navigation.py shows them the page).
NOTIFICATION_READERS = frozenset({Role.admin, Role.deputy})
# The year-end transfer: the e-journal administrator (admin), the deputy who answers for its
# authenticity (p.23.20) and the archivist whose case receives it.
TRANSFER_KEEPERS = frozenset({Role.admin, Role.deputy, Role.archivist})
SUMMARY = "achievement-summary"
REPORT = "progress-report"


@dataclass
class DueItem:
    title: str
    count: int
    text: str
    link: str | None = None
    link_label: str = ""
    rows: list[tuple[str, str, str | None]] = field(default_factory=list)  # (main, side, href)
    tone: str = "info"  # info | warn | ok


@dataclass(frozen=True, slots=True)
class Upcoming:
    """A periodic duty from the school's rules, with the page where it is done."""

    title: str
    text: str
    roles: frozenset[Role]
    link: str = ""


UPCOMING: tuple[Upcoming, ...] = (
    Upcoming(
        "Suvestinės pasibaigus laikotarpiui",
        "Klasių mokymosi pasiekimų suvestinės parengiamos per 5 darbo dienas po trimestro "
        "ar pusmečio pabaigos.",
        frozenset({Role.class_teacher, Role.deputy}),
        "/isduoti/achievement-summary",
    ),
    Upcoming(
        "Mėnesio ataskaitos tėvams",
        "Pažangos ir lankomumo ataskaitos tėvams, neturintiems galimybės naudotis e. dienynu, "
        "rengiamos kas mėnesį.",
        frozenset({Role.class_teacher}),
        "/isduoti/progress-report",
    ),
    Upcoming(
        "E. dienyno perkėlimas metų pabaigoje",
        "Pasibaigus mokslo metams e. dienyno duomenys perkeliami į skaitmeninę laikmeną ir "
        "įregistruojami.",
        frozenset({Role.archivist, Role.admin, Role.deputy}),
        "/archyvas/dienynas",
    ),
)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=VILNIUS).astimezone(dt.UTC)
    return start, start + dt.timedelta(days=1)


def voided_today(session: Session, today: dt.date) -> DueItem:
    start, end = _day_bounds(today)
    entries = session.exec(
        select(RegistryEntry)
        .where(
            RegistryEntry.status == EntryStatus.void,
            col(RegistryEntry.updated_at) >= start,
            col(RegistryEntry.updated_at) < end,
        )
        .order_by(col(RegistryEntry.updated_at).desc())
    ).all()
    return DueItem(
        title="Šiandien anuliuoti numeriai",
        count=len(entries),
        text=(
            "Numeriai, kurių dokumento parengti nepavyko. Patikrinkite priežastį ir, jei reikia, "
            "išduokite dokumentą iš naujo."
            if entries
            else "Šiandien nė vienas registracijos numeris neanuliuotas."
        ),
        rows=[
            (e.number, e.void_reason or "", f"/registrai/{e.register_code}?metai={e.year}")
            for e in entries[:LIST_LIMIT]
        ],
        tone="warn" if entries else "ok",
    )


def recent_documents(session: Session, readable: list[KindSpec], today: dt.date) -> DueItem:
    since, _ = _day_bounds(today - dt.timedelta(days=RECENT_DAYS - 1))
    slugs = [k.slug for k in readable]
    stmt = select(Document).where(col(Document.kind).in_(slugs), col(Document.created_at) >= since)
    count = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    docs = session.exec(stmt.order_by(col(Document.created_at).desc()).limit(LIST_LIMIT)).all()
    return DueItem(
        title=f"Išduota per {RECENT_DAYS} d.",
        count=count,
        text="Naujausi jums matomi dokumentai." if docs else "Per savaitę dokumentų neišduota.",
        link="/dokumentai",
        link_label="Visi dokumentai",
        rows=[(f"{d.number} · {d.title}", d.search_text, f"/dokumentai/{d.id}") for d in docs],
    )


def staff_without_pledge(session: Session) -> DueItem:
    people = session.exec(
        select(User)
        .where(col(User.active).is_(True), col(User.pledge_document_id).is_(None))
        .order_by(col(User.name))
    ).all()
    return DueItem(
        title="Darbuotojai be konfidencialumo pasižadėjimo",
        count=len(people),
        text=(
            "Kol pasižadėjimas neįregistruotas, darbuotojas negali matyti asmens duomenų "
            "(Aprašo 9 p.)."
            if people
            else "Visi darbuotojai pasižadėjimus pasirašę."
        ),
        link="/admin/naudotojai",
        link_label="Naudotojai",
        rows=[(p.name, p.position, None) for p in people[:LIST_LIMIT]],
        tone="warn" if people else "ok",
    )


def open_past_cases(session: Session, today: dt.date) -> DueItem:
    cases = session.exec(
        select(Case)
        .where(Case.status == CaseStatus.open, col(Case.year) < today.year)
        .order_by(col(Case.year), col(Case.index))
    ).all()
    return DueItem(
        title="Neužbaigtos praėjusių metų bylos",
        count=len(cases),
        text=(
            "Praėjusių metų bylos turi būti užbaigtos: nuo užbaigimo metų pabaigos "
            "skaičiuojamas saugojimo terminas."
            if cases
            else "Visos praėjusių metų bylos užbaigtos."
        ),
        rows=[(f"{c.year} m. {c.index}", c.title, None) for c in cases[:LIST_LIMIT]],
        link=f"/planas?metai={cases[0].year}" if cases else None,
        link_label="Užbaigti bylas plane",
        tone="warn" if cases else "ok",
    )


def disposals_waiting(session: Session, user: User) -> DueItem:
    waiting = session.exec(
        select(Disposal)
        .where(col(Disposal.status).in_([DisposalStatus.proposed, DisposalStatus.approved]))
        .order_by(col(Disposal.id))
    ).all()
    director = Role.director in user.role_set
    return DueItem(
        title="Naikinimo aktai, laukiantys sprendimo",
        count=len(waiting),
        text=(
            "Pateiktus aktus tvirtina direktorius, patvirtintus vykdo archyvaras."
            if waiting
            else "Neišspręstų naikinimo aktų nėra."
        ),
        rows=[
            (
                f"Aktas {d.act_number}",
                "laukia jūsų patvirtinimo"
                if d.status == DisposalStatus.proposed and director
                else (
                    "laukia direktoriaus"
                    if d.status == DisposalStatus.proposed
                    else "patvirtintas, laukia vykdymo"
                ),
                f"/archyvas/naikinimas/{d.id}",
            )
            for d in waiting[:LIST_LIMIT]
        ],
        link="/archyvas/naikinimas",
        link_label="Naikintinos bylos",
        tone="warn" if waiting else "ok",
    )


def undelivered_notifications(session: Session) -> DueItem:
    waiting = session.exec(
        select(func.count())
        .select_from(Notification)
        .where(col(Notification.delivered_at).is_(None))
    ).one()
    return DueItem(
        title="Nepristatyti pranešimai apie duomenų keitimą",
        count=waiting,
        text=(
            "Pakeitus užrakintus dienyno duomenis, apie tai informuojami administratorius, "
            "mokytojas, mokinys ir tėvai (Aprašo 20 p.)."
            if waiting
            else "Visi pranešimai pristatyti."
        ),
        link="/pranesimai" if waiting else None,
        link_label="Pranešimai",
        tone="warn" if waiting else "ok",
    )


def _short(day: dt.date) -> str:
    return day.isoformat()


def missing_calendar(school_year: str) -> DueItem:
    return DueItem(
        title="Mokslo metų kalendorius nenustatytas",
        count=1,
        text=(
            f"Įrašykite {school_year} m. m. pusmečių ar trimestrų pabaigas ir klases: iš jų "
            "skaičiuojami suvestinių, ataskaitų tėvams ir dienyno perkėlimo terminai."
        ),
        link=f"/admin/kalendorius?metai={school_year}",
        link_label="Nustatyti kalendorių",
        tone="warn",
    )


def summaries_due(found: duties.Duties, today: dt.date) -> DueItem | None:
    calendar = found.calendar
    if calendar is None:
        return None
    if not any(p.ends_on < today for p in calendar.periods):
        upcoming = min(calendar.periods, key=lambda p: p.ends_on)
        return DueItem(
            title="Klasių suvestinės",
            count=0,
            text=(
                f"Artimiausia laikotarpio pabaiga – {upcoming.name} ({upcoming.grades_text}) "
                f"{long_date(upcoming.ends_on)}; suvestinės pasirašomos per 5 darbo dienas."
            ),
            tone="ok",
        )
    missing = found.summaries
    overdue = [s for s in missing if s.overdue]
    return DueItem(
        title="Klasių suvestinės",
        count=len(missing),
        text=(
            "Pasibaigusių laikotarpių suvestinės, kurių dar nėra. Klasės vadovas pasirašo per "
            "5 darbo dienas (Aprašo 24.15 p.), pavaduotojas – per 10 kalendorinių dienų (12 p.)."
            + (f" Vėluoja: {len(overdue)}." if overdue else "")
            if missing
            else "Visų pasibaigusių laikotarpių suvestinės išduotos."
        ),
        link="/isduoti/achievement-summary" if missing else None,
        link_label="Įkelti suvestinę",
        rows=[
            (
                f"{s.class_name} · {s.period}",
                ("vėluoja, terminas buvo " if s.overdue else "klasės vadovas iki ")
                + f"{_short(s.deadlines.teacher)}; pavaduotojas iki {_short(s.deadlines.deputy)}",
                None,
            )
            for s in missing[:LIST_LIMIT]
        ],
        tone="warn" if overdue else ("info" if missing else "ok"),
    )


def parent_reports_due(found: duties.Duties) -> DueItem | None:
    reports = found.parent_reports
    if reports is None:
        return None
    month = format_date(reports.month, "MMMM", locale="lt")
    missing = reports.missing
    if not missing and not reports.issued:
        return DueItem(
            title="Ataskaitos tėvams",
            count=0,
            text=(
                "Šiais mokslo metais ataskaitų dar neišduota. Jos spausdinamos kas mėnesį "
                "tėvams, neturintiems galimybės naudotis e. dienynu (Aprašo 24.9 p.); išdavus "
                "pirmąsias, čia matysite, kam kito mėnesio ataskaitos dar neparengtos."
            ),
            link="/isduoti/progress-report",
            link_label="Išduoti ataskaitą",
        )
    return DueItem(
        title=f"Ataskaitos tėvams už {reports.month.year} m. {month} mėn.",
        count=len(missing),
        text=(
            "Mokiniai, kurių tėvams ataskaitos buvo spausdinamos anksčiau, o už šį mėnesį dar ne "
            f"(Aprašo 24.9 p.). Už šį mėnesį jau išduota: {reports.issued}."
            if missing
            else f"Visiems ankstesnių mėnesių gavėjams ataskaitos išduotos ({reports.issued})."
        ),
        link="/isduoti/progress-report" if missing else None,
        link_label="Išduoti ataskaitą",
        rows=[(p.name, p.class_name, None) for p in missing[:LIST_LIMIT]],
        tone="warn" if missing else "ok",
    )


def journal_transfers_due(found: duties.Duties, today: dt.date) -> list[DueItem]:
    items: list[DueItem] = []
    for t in found.journal_transfers:
        if t.document_id is not None:
            items.append(
                DueItem(
                    title=f"E. dienyno perkėlimas, {t.school_year} m. m.",
                    count=0,
                    text="Dienynas perkeltas į skaitmeninę laikmeną ir įregistruotas.",
                    rows=[(f"Nr. {t.document_number}", "", f"/dokumentai/{t.document_id}")],
                    tone="ok",
                )
            )
            continue
        left = (t.deadline - today).days
        items.append(
            DueItem(
                title=f"E. dienyno perkėlimas, {t.school_year} m. m.",
                count=1,
                text=(
                    f"Terminas buvo {long_date(t.deadline)}: dienynas dar neperkeltas."
                    if t.overdue
                    else f"Visą dienyną perkelti į skaitmeninę laikmeną iki "
                    f"{long_date(t.deadline)} (liko {left} d.; Aprašo 14, 22.16, 30 p.)."
                ),
                link=f"/archyvas/dienynas?metai={t.school_year}",
                link_label="Įkelti dienyną",
                tone="warn",
            )
        )
    return items


def calendar_items(found: duties.Duties, user: User, today: dt.date) -> list[DueItem]:
    """The periodic duties computed from the school year's calendar, for whom they concern."""
    roles = user.role_set
    items: list[DueItem] = []
    if found.calendar is None and roles & CALENDAR_EDITORS:
        items.append(missing_calendar(found.school_year))
    if roles & {Role.class_teacher, Role.deputy, Role.director}:
        summaries = summaries_due(found, today)
        if summaries is not None:
            items.append(summaries)
    if roles & {Role.class_teacher, Role.deputy}:
        reports = parent_reports_due(found)
        if reports is not None:
            items.append(reports)
    if roles & TRANSFER_KEEPERS:
        items += journal_transfers_due(found, today)
    return items


def due_for(
    session: Session,
    user: User,
    kinds: dict[str, KindSpec],
    today: dt.date,
    found: duties.Duties,
) -> list[DueItem]:
    roles = user.role_set
    items: list[DueItem] = calendar_items(found, user, today)
    if roles & REGISTER_KEEPERS:
        items.append(voided_today(session, today))
    readable = [k for k in kinds.values() if roles & k.read_roles]
    if readable:
        items.append(recent_documents(session, readable, today))
    if roles & STAFF_KEEPERS:
        items.append(staff_without_pledge(session))
    if roles & CASE_KEEPERS:
        items.append(open_past_cases(session, today))
    if roles & DISPOSAL_DECIDERS:
        items.append(disposals_waiting(session, user))
    if roles & NOTIFICATION_READERS:
        items.append(undelivered_notifications(session))
    return items


def upcoming_for(user: User, found: duties.Duties) -> list[Upcoming]:
    """The rules as reminders, while no calendar says when they fall due."""
    if found.calendar is not None:
        return []
    return [u for u in UPCOMING if user.role_set & u.roles]


@dataclass(frozen=True, slots=True)
class Home:
    """Everything the home page shows: what is due, the operators' warnings among it, and the
    rules as reminders while no calendar says when they fall due."""

    items: list[DueItem]
    upcoming: list[Upcoming]


def home(
    engine: Engine,
    user: User,
    kinds: dict[str, KindSpec],
    today: dt.date,
    *,
    backup_max_age: dt.timedelta,
    fixity_max_age: dt.timedelta,
) -> Home:
    with session_scope(engine) as session:
        found = duties.duties_on(session, today)
        items = due_for(session, user, kinds, today, found)
        notices = operations_due(
            session, user, utcnow(), backup_max_age=backup_max_age, fixity_max_age=fixity_max_age
        )
    items += [DueItem(n.title, 1, n.text, n.link, n.link_label, tone="warn") for n in notices]
    return Home(items, upcoming_for(user, found))
