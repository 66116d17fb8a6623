"""Calendar dates as the policy language writes them: YYYY-MM-DD, and nothing else."""

from __future__ import annotations

import datetime as dt
import re

# ``date.fromisoformat`` also reads forms the language does not use: an ISO week date of the
# same length (``2026-W05-3``), and digits run together (``20261130``).
_CALENDAR_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def calendar_date(text: str) -> dt.date | None:
    """The date ``text`` writes as YYYY-MM-DD; ``None`` for any other text, or a day that is
    not in the calendar (``2026-02-30``)."""
    if not _CALENDAR_DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
