"""The expert commission's agreement on an inventory (SUDERINTA): entered when the commission
has met, as a new version of the inventory that says which version it replaces."""

from __future__ import annotations

import datetime as dt

from service.cases.closing import INVENTORY_KIND
from service.db import session_scope
from service.documents.kinds import kind_or_404
from service.documents.models import Document
from service.errors import Conflict, InvalidPayload, NotFound
from service.lt import long_date
from service.runtime import Runtime
from service.timeutil import today_vilnius
from service.users.models import User


def enter_agreement(
    runtime: Runtime, user: User, document_id: str, protocol_date: dt.date, number: str
) -> Document:
    with session_scope(runtime.engine) as session:
        old = session.get(Document, document_id)
        if old is None or old.kind != INVENTORY_KIND:
            raise NotFound(f"Bylų apyrašas „{document_id[:64]}“ nerastas.")
    if old.superseded_by_id is not None:
        raise Conflict(
            f"Apyrašas Nr. {old.number} jau pakeistas naujesne versija: suderinimą įrašykite "
            "naujausioje."
        )
    if protocol_date > today_vilnius():
        raise InvalidPayload(
            f"„protocol_date“: komisijos posėdžio data ({protocol_date}) negali būti ateityje."
        )
    if protocol_date < old.registered_on:
        raise InvalidPayload(
            f"„protocol_date“: komisija negalėjo suderinti apyrašo ({protocol_date}) anksčiau, "
            f"nei jis sudarytas ({old.registered_on})."
        )
    payload = dict(old.payload) | {
        "commission": {"protocol_date": protocol_date.isoformat(), "protocol_number": number}
    }
    reason = (
        f"Įrašytas ekspertų komisijos suderinimas ({long_date(protocol_date)} protokolas "
        f"Nr. {number})"
    )
    spec = kind_or_404(runtime.kinds, INVENTORY_KIND)
    return runtime.issuer.issue(spec, payload, user, supersedes=old, reason=reason).document
