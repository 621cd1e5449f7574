"""Logging filters named in ``LOGGING`` (settings)."""

import logging


class NoTracebackForClientErrors(logging.Filter):
    """Keep the line, drop the traceback, for requests refused with a 4xx.

    Django logs a 403 (``PermissionDenied``) with the exception attached, so
    the console of a demo or a server fills with tracebacks for pages that
    worked as designed.  Records without a status code, and 5xx, pass as
    they are.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
