"""The ``datetime`` parameter of OGC API – Features: an instant or an interval (RFC 3339).

``2026-11-23T10:00:00Z`` is an instant; ``a/b`` a closed interval; ``../b``, ``a/..``, ``a/`` and
``/b`` are open at one end. A date without a time stands for that whole day (UTC). Times without
an offset are refused: "10 o'clock" in which zone?
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from geo.errors import InvalidParameter

OPEN = ("", "..")


@dataclass(frozen=True)
class Interval:
    start: datetime | None  # None: open
    end: datetime | None  # inclusive; None: open


def _moment(text: str, *, end: bool) -> datetime:
    if "T" not in text.upper():
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise InvalidParameter("datetime", f"'{text[:40]}' is not an RFC 3339 date or "
                                               "date-time such as 2026-11-23T10:00:00Z") from None
        start = datetime.combine(day, time(), UTC)
        return start + timedelta(days=1) - timedelta(microseconds=1) if end else start
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidParameter("datetime", f"'{text[:40]}' is not an RFC 3339 date-time such as "
                                           "2026-11-23T10:00:00Z") from None
    if moment.tzinfo is None:
        raise InvalidParameter("datetime", f"'{text[:40]}' needs a time zone, e.g. Z for UTC")
    return moment


def parse_datetime(value: str) -> Interval:
    value = value.strip()
    if "/" not in value:
        if value in OPEN:
            raise InvalidParameter("datetime", "needs an instant or an interval such as "
                                               "2026-01-01T00:00:00Z/..")
        return Interval(_moment(value, end=False), _moment(value, end=True))
    start_text, _, end_text = value.partition("/")
    if start_text in OPEN and end_text in OPEN:
        raise InvalidParameter("datetime", "an interval needs at least one end")
    start = None if start_text in OPEN else _moment(start_text, end=False)
    end = None if end_text in OPEN else _moment(end_text, end=True)
    if start is not None and end is not None and start > end:
        raise InvalidParameter("datetime", "the interval ends before it starts")
    return Interval(start, end)
