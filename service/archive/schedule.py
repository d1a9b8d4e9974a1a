"""The scheduled fixity run: every ``interval_hours`` while the service runs (0 = off)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from anyio import to_thread

from service.archive import fixity
from service.audit.log import SYSTEM
from service.runtime import Runtime

log = logging.getLogger("bylos.fixity")


async def _loop(runtime: Runtime, interval_s: float, stop: asyncio.Event) -> None:
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)
        if stop.is_set():
            return
        try:
            report = await to_thread.run_sync(fixity.run, runtime.engine, runtime.store, SYSTEM)
        except Exception:
            # A failed run (store down) is logged and retried at the next interval.
            log.exception("scheduled fixity run failed")
            continue
        if not report["clean"]:
            log.warning(
                "fixity run %s: %d mismatched, %d missing, %d orphans, %d lock problems",
                report["id"],
                len(report["mismatched"]),
                len(report["missing"]),
                len(report["orphans"]),
                len(report["lock_problems"]),
            )


@contextlib.asynccontextmanager
async def scheduled_fixity(runtime: Runtime, interval_hours: float) -> AsyncIterator[None]:
    if interval_hours <= 0:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(_loop(runtime, interval_hours * 3600, stop))
    try:
        yield
    finally:
        # Not task.cancel(): that would abandon a run in progress in its worker thread, still
        # holding a database connection while the engine is disposed. A run in progress ends.
        stop.set()
        await task
