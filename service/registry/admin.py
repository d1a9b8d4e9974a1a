"""Registers as data: the admin adds and renames them (API and CLI share these functions)."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from sqlmodel import Session, select

from service.audit import log as audit
from service.audit.log import Actor
from service.case_index import validate_index
from service.errors import Conflict, InvalidPayload
from service.registry.models import Register, RegistryEntry
from service.registry.numbering import get_register
from service.timeutil import today_vilnius

# Register letters as offices write them: Latin capitals and the Lithuanian ones.
CODE = re.compile(r"^[A-ZĄČĘĖĮŠŲŪŽ]{1,6}$")
PLACEHOLDERS = frozenset({"code", "seq", "year"})
DEFAULT_FORMAT = "{code}-{seq}"
# A number travels into file names, HTTP headers, spreadsheets and PDF metadata: its literal
# text is letters, digits and the separators offices use, nothing that means something there.
_FORMAT_TEXT = re.compile(r"^[A-Za-zĄČĘĖĮŠŲŪŽąčęėįšųūž0-9./_ -]*$")
_FORMAT_SPEC = re.compile(r"^(0?[1-9])?d?$")


def validate_code(code: str) -> str:
    if not CODE.match(code):
        raise InvalidPayload(
            f"Netinkamas registro kodas „{code}“: 1–6 didžiosios raidės (A–Z, Ą Č Ę Ė Į Š Ų Ū Ž)."
        )
    return code


def validate_number_format(fmt: str) -> str:
    """Only {code}, {seq}, {year}; {seq} is required, or two numbers of a year would be equal."""
    if len(fmt) > 40:
        raise InvalidPayload(f"Numerio formatas „{fmt[:40]}…“ per ilgas (daugiausia 40 ženklų).")
    try:
        parts = list(string.Formatter().parse(fmt))
    except ValueError:
        raise InvalidPayload(
            f"Netinkamas numerio formatas „{fmt}“: neuždaryti riestiniai skliaustai."
        ) from None
    fields = [name for _, name, _, _ in parts if name is not None]
    for literal, _name, spec, conversion in parts:
        if not _FORMAT_TEXT.match(literal) or conversion or not _FORMAT_SPEC.match(spec or ""):
            raise InvalidPayload(
                f"Netinkamas numerio formatas „{fmt}“: be laukų {{code}}, {{seq}}, {{year}} "
                "leidžiamos tik raidės, skaitmenys, tarpas ir ženklai - / . _ "
                "(laukui – tik skaitmenų plotis, pvz., {seq:04d})."
            )
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        raise InvalidPayload(
            f"Netinkamas numerio formatas „{fmt}“: nežinomi laukai "
            + ", ".join(f"{{{u}}}" for u in unknown)
            + "; galimi tik {code}, {seq}, {year}."
        )
    if "seq" not in fields:
        raise InvalidPayload(f"Netinkamas numerio formatas „{fmt}“: būtinas eilės numeris {{seq}}.")
    try:
        fmt.format(code="AB", seq=1, year=2026)
    except (ValueError, IndexError, KeyError):
        raise InvalidPayload(f"Netinkamas numerio formatas „{fmt}“.") from None
    if len(fmt) > 40:
        raise InvalidPayload(f"Numerio formatas „{fmt}“ per ilgas (daugiausia 40 ženklų).")
    return fmt


def validate_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise InvalidPayload("Registro pavadinimas negali būti tuščias.")
    if len(title) > 200:
        raise InvalidPayload("Registro pavadinimas per ilgas (daugiausia 200 ženklų).")
    return title


@dataclass(frozen=True, slots=True)
class RegisterChange:
    title: str | None = None
    case_index: str | None = None
    number_format: str | None = None


def add_register(
    session: Session,
    actor: Actor,
    *,
    code: str,
    title: str,
    case_index: str,
    number_format: str = DEFAULT_FORMAT,
) -> Register:
    register = Register(
        code=validate_code(code),
        title=validate_title(title),
        case_index=validate_index(case_index),
        number_format=validate_number_format(number_format),
        yearly_restart=True,
    )
    if session.get(Register, code) is not None:
        raise Conflict(f"Registras „{code}“ jau yra.")
    session.add(register)
    session.flush()
    audit.record(
        session,
        actor,
        "register.added",
        subject_type="register",
        subject_id=code,
        detail={"title": register.title, "case_index": case_index, "number_format": number_format},
    )
    return register


def change_register(session: Session, actor: Actor, code: str, change: RegisterChange) -> Register:
    """Rename a register or change where it files; its format only before this year's first
    number, so one register-year never mixes two number styles."""
    register = get_register(session, code)
    before = {
        "title": register.title,
        "case_index": register.case_index,
        "number_format": register.number_format,
    }
    if change.title is not None:
        register.title = validate_title(change.title)
    if change.case_index is not None:
        register.case_index = validate_index(change.case_index)
    if change.number_format is not None and change.number_format != register.number_format:
        validate_number_format(change.number_format)
        year = today_vilnius().year
        used = session.exec(
            select(RegistryEntry.id).where(
                RegistryEntry.register_code == code, RegistryEntry.year == year
            )
        ).first()
        if used is not None:
            raise Conflict(
                f"Registre „{code}“ {year} m. jau yra numerių: numerio formatą galima keisti "
                "tik nuo kitų metų."
            )
        register.number_format = change.number_format
    after = {
        "title": register.title,
        "case_index": register.case_index,
        "number_format": register.number_format,
    }
    if after != before:
        session.add(register)
        audit.record(
            session,
            actor,
            "register.changed",
            subject_type="register",
            subject_id=code,
            detail={"before": before, "after": after},
        )
    return register


def all_registers(session: Session) -> list[Register]:
    return list(session.exec(select(Register).order_by(Register.code)))
