"""create_app(): builds the database, object store and converter pool, and wires the routes."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from service.access.policy import rule_for
from service.access_log import AccessLog
from service.apidocs import install as install_api_docs
from service.archive.routes import router as archive_router
from service.archive.schedule import scheduled_fixity
from service.audit.anchors import AnchorPolicy
from service.audit.routes import router as audit_router
from service.audit.schedule import scheduled_anchors
from service.books.routes import router as books_router
from service.bootstrap import prepared_engine, rules_in_force, start_store
from service.cases.routes import router as cases_router
from service.contract import install as install_contract
from service.db import session_scope
from service.deps import RuntimeDep, api_gate
from service.documents.issuing import Converter
from service.documents.routes import router as documents_router
from service.documents.seed_routes import notifications_router
from service.documents.seed_routes import router as seed_documents_router
from service.errors import DependencyUnavailable, NotAuthenticated, ServiceError
from service.headers import SecurityHeaders
from service.kinds import load_kinds
from service.limits import BodySizeLimit
from service.operations.metrics import InstrumentedConverter, Metrics
from service.operations.monitoring import router as monitoring_router
from service.operations.routes import router as operations_router
from service.password_slots import VerificationBusy
from service.registry import numbering
from service.registry.routes import router as registry_router
from service.rendering.pdf import ConverterPool
from service.rendering.queue import ConversionQueue
from service.runtime import Runtime
from service.school_profile.profile import in_force as school_in_force
from service.school_profile.routes import router as school_router
from service.school_year.routes import router as school_year_router
from service.settings import Components, Settings
from service.timeutil import utcnow
from service.users import sessions
from service.users.routes import router as users_router
from service.validation import describe
from service.web import install as install_web_pages
from service.web.access import page_gate
from service.web.rendering import WebRoute
from storage.objectstore import ObjectStorePort

log = logging.getLogger("bylos")

# A reservation older than this belongs to a request that can no longer finish.
STALE_RESERVATION = dt.timedelta(minutes=10)


def _open_engine(config: Components, stack: AsyncExitStack) -> Engine:
    """The migrated database, with the numbers reserved by requests that died released and the
    sessions long ended or expired deleted."""
    engine = prepared_engine(config, stack)
    with session_scope(engine) as session:
        numbering.void_stale_reservations(session, older_than=utcnow() - STALE_RESERVATION)
        # However many there are; sign-ins purge in batches.
        sessions.purge(session, limit=None)
    return engine


def _open_store(app: FastAPI, config: Components, stack: AsyncExitStack) -> ObjectStorePort:
    """The injected store (tests), or the configured one, started for the app's lifetime."""
    injected: Injected = app.state.injected
    # The embedded SeaweedFS's launcher, when the service started one: its stats() count
    # the store's crashes and restarts (health, metrics).
    app.state.store_launcher = None
    if injected.store is not None:
        injected.store.ensure_bucket()
        return injected.store
    opened = start_store(config, stack, attach_to_running=False)
    app.state.store_launcher = opened.launcher
    return opened.store


def _open_converter(
    app: FastAPI, settings: Settings, config: Components, stack: AsyncExitStack
) -> Converter:
    """The injected converter (tests), or a LibreOffice worker pool behind the queue."""
    injected: Injected = app.state.injected
    workers = injected.converter
    if workers is None:
        workers = stack.enter_context(
            ConverterPool(
                size=settings.converter_workers,
                uno_python_bin=config.uno_bin,
                work_dir=settings.data_dir / "converter",
                timeout_s=settings.converter_timeout_s,
            )
        )
    if not isinstance(workers, ConverterPool):
        return workers
    # One queue in front of the workers: fair admission, then batched conversion.
    return stack.enter_context(
        ConversionQueue(
            workers,
            batching=settings.converter_batching,
            max_batch=settings.converter_batch_max,
            max_batch_bytes=settings.converter_batch_max_kib * 1024,
            capacity=settings.converter_queue_capacity,
            wait_s=settings.converter_queue_wait_s,
            max_waiting=settings.converter_queue_max_waiting,
        )
    )


async def _start_schedules(runtime: Runtime, settings: Settings, stack: AsyncExitStack) -> None:
    """The periodic fixity check and audit anchoring, stopped when the app stops."""
    await stack.enter_async_context(scheduled_fixity(runtime, settings.fixity_interval_hours))
    await stack.enter_async_context(
        scheduled_anchors(
            runtime,
            AnchorPolicy(
                retention_years=settings.audit_anchor_retention_years,
                interval_minutes=settings.audit_anchor_interval_minutes,
            ),
        )
    )


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    config = settings.components()
    async with AsyncExitStack() as stack:
        # Each part is closed by the exit stack in reverse order, also when a later one fails
        # to start.
        engine = _open_engine(config, stack)
        store = _open_store(app, config, stack)
        converter = _open_converter(app, settings, config, stack)
        app.state.runtime = Runtime(
            engine=engine,
            store=store,
            converter=InstrumentedConverter(converter, app.state.metrics),
            rules=rules_in_force(engine, config.rules_file),
            school=school_in_force(engine, settings.school),
            kinds=load_kinds(),
            records=config.records,
        )
        await _start_schedules(app.state.runtime, settings, stack)
        yield


def _error(status: int, code: str, detail: str) -> JSONResponse:
    # A detail may quote what was sent; a lone surrogate in it cannot be encoded as UTF-8.
    detail = detail.encode("utf-8", "backslashreplace").decode("utf-8")
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    metrics: Metrics = request.app.state.metrics
    if isinstance(exc, DependencyUnavailable):
        metrics.dependency_failed(exc)
    elif isinstance(exc, NotAuthenticated) and request.headers.get("authorization"):
        metrics.signin_failures.labels("token").inc()
    # A refusal under a password-check storm is counted (signin_failures "busy"), not logged.
    if exc.status_code >= 500 and not isinstance(exc, VerificationBusy):
        log.warning("%s: %s", exc.code, exc.detail, exc_info=exc.__cause__)
    response = _error(exc.status_code, exc.code, exc.detail)
    retry: int | None = getattr(exc, "retry_after_s", None)
    if retry is not None:
        # A dependency that is down comes back (the store is restarted by its supervisor); a
        # password check finds a free slot in seconds.
        response.headers["Retry-After"] = str(retry)
    return response


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _error(422, "InvalidPayload", describe(exc.errors()))


_HTTP_DETAILS = {
    404: "Toks adresas nerastas.",
    405: "Šis metodas šiam adresui neleidžiamas.",
}


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _published_fit(route: BaseRoute, scope: Scope) -> bool:
    """Whether the path's values fit what the route's parameters publish (an enum of kinds, a
    UUID's pattern): /api/documents/leaving-certificate is a kind, not a document id."""
    if not isinstance(route, APIRoute):
        return True
    values = scope.get("path_params", {})
    for param in route.dependant.path_params:
        extra = param.field_info.json_schema_extra
        if not isinstance(extra, dict) or param.alias not in values:
            continue
        value = str(values[param.alias])
        enum = extra.get("enum")
        pattern = extra.get("pattern")
        if isinstance(enum, list) and value not in enum:
            return False
        if isinstance(pattern, str) and not re.search(pattern, value):
            return False
    return True


def _allowed_methods(request: Request) -> str:
    """Every method the path takes (RFC 9110 §15.5.6). Starlette names only the first matching
    route's methods, and FastAPI makes a route per method, so each method is tried in turn.
    As in OpenAPI, a path's literal segments beat a parameter (/rules/import is not a rule
    id), and a value that does not fit a parameter's published form names another resource."""
    matching: list[tuple[BaseRoute, str, bool]] = []
    # Each route on its own: an included router matches as one, without the route's values.
    for route in (context.route for context in iter_route_contexts(request.app.router.routes)):
        for method in _METHODS:
            match, child = route.matches({**request.scope, "method": method})
            if match is Match.FULL:
                matching.append((route, method, _published_fit(route, {**request.scope, **child})))
    # A value that fits no published form (/api/documents/nera) still reaches the handlers.
    candidates = [(r, m) for r, m, fits in matching if fits] or [(r, m) for r, m, _ in matching]
    fewest = min((_parameters(route) for route, _ in candidates), default=0)
    allowed = {method for route, method in candidates if _parameters(route) == fewest}
    return ", ".join(method for method in _METHODS if method in allowed)


def _parameters(route: BaseRoute) -> int:
    return str(getattr(route, "path", "")).count("{")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = _HTTP_DETAILS.get(exc.status_code, "Užklausa atmesta.")
    response = _error(exc.status_code, "HTTPError", detail)
    if exc.status_code == 405:
        response.headers["Allow"] = _allowed_methods(request)
    return response


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return _error(500, "InternalError", "Vidinė tarnybos klaida. Kreipkitės į administratorių.")


def _operation_id(route: APIRoute) -> str:
    return route.name


@dataclass(frozen=True, slots=True)
class Injected:
    """Components built by the caller (tests, benchmarks) instead of by the lifespan."""

    store: ObjectStorePort | None = None
    converter: Converter | ConverterPool | None = None


def _gate(request: Request, runtime: RuntimeDep) -> None:
    """The first dependency of every route: its entry in the policy table decides."""
    if isinstance(request.scope.get("route"), WebRoute):
        page_gate(request)
    else:
        api_gate(request, runtime)


def _check_policy(app: FastAPI) -> None:
    """A route without an entry in the policy table is a decision nobody made: refuse to start."""
    for route in iter_route_contexts(app.routes):
        if isinstance(route.route, APIRoute):
            for method in sorted(route.methods or ()):
                rule_for(method, route.path or "")


def create_app(
    settings: Settings | None = None,
    *,
    store: ObjectStorePort | None = None,
    converter: Converter | ConverterPool | None = None,
) -> FastAPI:
    # /docs from local files (service/apidocs.py); FastAPI's own would load a CDN.
    app = FastAPI(
        title="Bylos",
        version="0.1.0",
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
        # operationId = the route function's name: a generated client's calls read as the
        # code does (list_registers, issue_document), not as FastAPI's path-derived ids.
        generate_unique_id_function=_operation_id,
        dependencies=[Depends(_gate)],
    )
    app.state.settings = settings or Settings()
    app.state.injected = Injected(store=store, converter=converter)
    app.state.metrics = Metrics()
    app.state.metrics.bind(app.state)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.include_router(documents_router)
    app.include_router(seed_documents_router)
    app.include_router(notifications_router)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(SecurityHeaders)
    app.include_router(archive_router)
    app.include_router(books_router)
    app.include_router(audit_router)
    app.include_router(registry_router)
    app.include_router(cases_router)
    app.include_router(school_year_router)
    app.include_router(school_router)
    app.include_router(monitoring_router)
    app.include_router(operations_router)
    app.include_router(users_router)
    install_web_pages(app)
    install_api_docs(app)
    install_contract(app)

    _check_policy(app)

    # Outermost: it sees every request's final status, errors included.
    app.add_middleware(AccessLog)
    return app
