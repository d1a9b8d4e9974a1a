"""All page routes, each module one area of the work."""

from __future__ import annotations

from fastapi import APIRouter

from service.web.pages.account import router as account_pages
from service.web.pages.admin import router as admin_pages
from service.web.pages.archive import router as archive_pages
from service.web.pages.auth import router as auth_pages
from service.web.pages.backups import router as backup_pages
from service.web.pages.books import router as book_pages
from service.web.pages.calendar import router as calendar_pages
from service.web.pages.documents import router as document_pages
from service.web.pages.holds import router as hold_pages
from service.web.pages.home import router as home_page
from service.web.pages.issue import router as issue_pages
from service.web.pages.journal import router as journal_pages
from service.web.pages.notifications import router as notification_pages
from service.web.pages.plan import router as plan_pages
from service.web.pages.registers import router as register_pages
from service.web.pages.retention import router as retention_pages
from service.web.pages.summary import router as summary_pages
from service.web.rendering import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
# The summary's fixed addresses must come before the forms' /isduoti/{kind}.
for pages in (
    auth_pages,
    home_page,
    document_pages,
    summary_pages,
    issue_pages,
    register_pages,
    plan_pages,
    archive_pages,
    book_pages,
    journal_pages,
    retention_pages,
    hold_pages,
    admin_pages,
    account_pages,
    calendar_pages,
    notification_pages,
    backup_pages,
):
    router.include_router(pages)
