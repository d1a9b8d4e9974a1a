"""Log lines for people (``text``, the default) or for a log collector (``json``: one JSON
object per line, BYLOS_LOG_FORMAT=json).

Uvicorn's own loggers are configured through the same dictionary, so its access and error lines
come out in the same format. An access line carries the path without its query string: pupil
names travel in ``q=``, and a log collector keeps lines for years.
"""

from __future__ import annotations

import logging
from typing import Any, Final, Literal

LogFormat = Literal["text", "json"]

_TEXT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_JSON_FIELDS: Final = "%(asctime)s %(levelname)s %(name)s %(message)s"


class AccessFields(logging.Filter):
    """An access record as fields (client, method, path, status), query string dropped: Bylos's
    own (service/access_log.py: method, path, status, ms, client) or, if turned on, uvicorn's."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.name == "bylos.access" and isinstance(args, tuple) and len(args) == 5:
            record.method, record.path, record.status, record.duration_ms, record.client = args
            return True
        if isinstance(args, tuple) and len(args) == 5:
            client, method, path, http_version, status = args
            bare = str(path).split("?", 1)[0]
            record.client = client
            record.method = method
            record.path = bare
            record.status = status
            record.http_version = http_version
            record.msg = "%s %s %s"
            record.args = (method, bare, status)
        return True


def logging_config(fmt: LogFormat, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for Bylos and uvicorn (uvicorn.run's ``log_config``)."""
    if fmt == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": _JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "json_ensure_ascii": False,
        }
    else:
        formatter = {"format": _TEXT}
    handler = {"class": "logging.StreamHandler", "formatter": "bylos", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"bylos": formatter},
        "filters": {"access": {"()": AccessFields}},
        "handlers": {
            "default": handler,
            "access": handler | {"filters": ["access"]},
        },
        "loggers": {
            "bylos": {"handlers": ["default"], "level": level, "propagate": False},
            "bylos.access": {"handlers": ["access"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["default"], "level": "WARNING"},
    }
