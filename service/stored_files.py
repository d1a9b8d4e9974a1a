"""Reading stored files back and translating object-store failures for the API."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from service.errors import Conflict, DependencyUnavailable, StoreUnavailable
from storage.errors import IntegrityError, ObjectMissing, RetentionLocked, StorageError


@contextmanager
def store_errors() -> Iterator[None]:
    """Map the storage port's errors to service errors (with their HTTP status)."""
    try:
        yield
    except RetentionLocked as exc:
        raise Conflict("Saugykla neleidžia keisti ar trinti užrakinto įrašo.") from exc
    except ObjectMissing as exc:
        raise DependencyUnavailable(
            "Dokumento failas saugykloje nerastas. Praneškite archyvarui: reikia vientisumo "
            "patikros."
        ) from exc
    except IntegrityError as exc:
        raise DependencyUnavailable(
            "Saugykla grąžino sugadintą failą (kontrolinė suma nesutampa)."
        ) from exc
    except StorageError as exc:
        raise StoreUnavailable(
            "Objektų saugykla nepasiekiama. Dokumentas neužregistruotas; bandykite dar kartą."
        ) from exc


def read_verified(data: bytes, expected_sha256: str) -> bytes:
    """Refuse to serve bytes that differ from what was registered."""
    if hashlib.sha256(data).hexdigest() != expected_sha256:
        raise DependencyUnavailable(
            "Saugomo failo kontrolinė suma nesutampa su užregistruota: failas pakeistas arba "
            "sugadintas. Praneškite archyvarui."
        )
    return data
