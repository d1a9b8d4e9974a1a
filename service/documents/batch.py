"""Issuing many documents of one kind: each item independent, each result reported."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from service.db import session_scope
from service.documents.issuing import Issuer
from service.documents.kinds import KindSpec
from service.documents.schemas import document_out
from service.errors import ServiceError
from service.users.models import User

log = logging.getLogger("bylos")
MAX_ITEMS = 500


def issue_all(
    issuer: Issuer,
    spec: KindSpec,
    items: list[Any],
    user: User,
    *,
    parallel: int = 8,
    idempotency_prefix: str | None = None,
) -> list[dict[str, Any]]:
    """One result per item, in order: 201 with the document, or the item's own error."""

    def one(index: int) -> dict[str, Any]:
        key = f"{idempotency_prefix}:{index}" if idempotency_prefix else None
        try:
            issued = issuer.issue(spec, items[index], user, idempotency_key=key)
        except ServiceError as exc:
            return {
                "index": index,
                "status": exc.status_code,
                "error": exc.code,
                "detail": exc.detail,
            }
        except Exception:
            # One broken item must not take the others down; it is reported, and logged.
            log.exception("batch item %d of %s failed", index, spec.slug)
            return {
                "index": index,
                "status": 500,
                "error": "InternalError",
                "detail": "Vidinė tarnybos klaida.",
            }
        with session_scope(issuer.engine) as session:
            out = document_out(session, issued.document, issuer.rules)
        return {
            "index": index,
            "status": 200 if issued.replayed else 201,
            "document": out.model_dump(mode="json", by_alias=True),
        }

    # The converter pool is what limits throughput; a few items in flight keep it busy.
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        return list(pool.map(one, range(len(items))))
