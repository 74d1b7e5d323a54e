"""Logging filters (see LOGGING in tracker.settings).

A refused request (403) is the permission rule doing its job, not a fault: it is worth one line in
the log (what was refused, and why), never a traceback.
"""
from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class RefusalInOneLine(logging.Filter):
    """On `django.request` and `django.security.csrf`: a 403 becomes one line, naming the method,
    the path and the reason given (if any), without the traceback Django attaches to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403:
            return True
        error = record.exc_info[1] if record.exc_info else None
        method = getattr(getattr(record, "request", None), "method", None)
        if isinstance(method, str) and isinstance(record.args, tuple) and record.args:
            # Django's messages end with the (escaped) path: "Forbidden (…): %s".
            record.args = (*record.args[:-1], f"{method} {record.args[-1]}")
        message = record.getMessage()
        if isinstance(error, PermissionDenied) and str(error):
            # Escaped like Django escapes the path, so a reason cannot forge log lines.
            message = f"{message} ({str(error).encode('unicode_escape').decode('ascii')})"
        record.msg, record.args = message, ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


class RefusalLoggedByDjango(logging.Filter):
    """On `django.server` (runserver's access log): leave out 403 lines, which `django.request`
    has already logged in one line with the reason, so a refusal is logged once."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 403
