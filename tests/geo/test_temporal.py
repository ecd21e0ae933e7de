"""OGC's datetime parameter: instants, closed and open intervals, and what is refused."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from geo.errors import InvalidParameter
from geo.temporal import Interval, parse_datetime

T = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("text, expected", [
    ("2026-11-23T10:00:00Z", Interval(T, T)),
    ("2026-11-23T11:00:00+01:00", Interval(T, T)),
    ("2026-11-23t10:00:00z", Interval(T, T)),
    ("2026-11-23T10:00:00Z/..", Interval(T, None)),
    ("2026-11-23T10:00:00Z/", Interval(T, None)),
    ("../2026-11-23T10:00:00Z", Interval(None, T)),
    ("/2026-11-23T10:00:00Z", Interval(None, T)),
    ("2026-11-23", Interval(datetime(2026, 11, 23, tzinfo=UTC),
                            datetime(2026, 11, 24, tzinfo=UTC) - timedelta(microseconds=1))),
    ("2026-01-01/2026-01-31", Interval(datetime(2026, 1, 1, tzinfo=UTC),
                                       datetime(2026, 2, 1, tzinfo=UTC) - timedelta(microseconds=1))),
])
def test_instants_and_intervals(text, expected):
    assert parse_datetime(text) == expected


def test_offsets_are_kept():
    start = parse_datetime("2026-11-23T10:00:00+02:00").start
    assert start.utcoffset() == timezone(timedelta(hours=2)).utcoffset(None)


@pytest.mark.parametrize("text, reason", [
    ("yesterday", "RFC 3339"),
    ("2026-11-23T10:00:00", "time zone"),
    ("2026-13-01", "RFC 3339"),
    ("../..", "at least one end"),
    ("..", "instant or an interval"),
    ("2026-02-01/2026-01-01", "ends before it starts"),
])
def test_nonsense_is_refused_with_a_reason(text, reason):
    with pytest.raises(InvalidParameter) as error:
        parse_datetime(text)
    assert error.value.parameter == "datetime"
    assert reason in error.value.message
