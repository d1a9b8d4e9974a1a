"""Anchors while the service runs: after fixity, closing and disposal (installed hook), and
every ``interval_minutes`` when the chain has moved (0 = only those and on demand)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from anyio import to_thread
from sqlalchemy.engine import Engine

from service.audit import anchors
from service.audit.anchors import AnchorPolicy
from storage.objectstore import ObjectStorePort

log = logging.getLogger("bylos.audit")


class Running(Protocol):
    """What the loop reads of the running service (service/runtime.py, which sits above the
    audit log), each time it anchors: the store may be swapped while the service runs."""

    engine: Engine
    store: ObjectStorePort


async def _loop(runtime: Running, policy: AnchorPolicy, stop: asyncio.Event) -> None:
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), policy.interval_minutes * 60)
        if stop.is_set():
            return
        try:
            await to_thread.run_sync(
                lambda: anchors.write_anchor(
                    runtime.engine, runtime.store, policy, reason="interval", by="Bylos"
                )
            )
        except Exception:
            # A store that is down, a chain found broken: logged, tried again next time.
            log.exception("scheduled audit anchor was not written")


@contextlib.asynccontextmanager
async def scheduled_anchors(runtime: Running, policy: AnchorPolicy) -> AsyncIterator[None]:
    uninstall = anchors.install(runtime.engine, runtime.store, policy)
    stop = asyncio.Event()
    task = None
    if policy.interval_minutes > 0:
        task = asyncio.create_task(_loop(runtime, policy, stop))
    try:
        yield
    finally:
        # A write in progress finishes (cancelling would abandon its thread mid-transaction).
        stop.set()
        if task is not None:
            await task
        uninstall()
