"""A validator for the common part of OpenStreetMap's ``opening_hours`` grammar.

It accepts what editors of learning places actually write — ``24/7``, weekday ranges and lists
(``Mo-Fr``, ``Mo,We``, ``Mo[1]``), public and school holidays (``PH``, ``SH``), years, months and
dates (``2026 Jan-Mar``, ``Dec 24``), ISO weeks (``week 1-26``), time spans with extensions
(``08:00-12:00,14:00-18:00``, ``17:00+``, ``sunrise-sunset``), the states ``off``/``closed``/
``open``/``unknown`` and quoted comments — with rules joined by ``;``, ``,`` or ``||``. It checks
form, not meaning, and returns a sentence a person understands instead of a parse tree.
"""

from __future__ import annotations

import re

_WD = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_NTH = r"(?:\[-?[1-5](?:-[1-5])?(?:,-?[1-5](?:-[1-5])?)*\](?: ?[+-][0-9]+ days?)?)"
_WD_RANGE = rf"(?:{_WD}(?:-{_WD})?{_NTH}?)"
_HOLIDAY = r"(?:PH|SH)(?: ?[+-][0-9]+ days?)?"
_WD_SEL = rf"(?:(?:{_WD_RANGE}|{_HOLIDAY})(?:,(?:{_WD_RANGE}|{_HOLIDAY}))*)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_YEAR = r"(?:19|20)[0-9]{2}"
_DATE = rf"(?:(?:{_YEAR} )?{_MONTH}(?: (?:0?[1-9]|[12][0-9]|3[01]))?|easter)"
_MONTH_RANGE = rf"(?:{_DATE}(?:-(?:{_DATE}|0?[1-9]|[12][0-9]|3[01]))?)"
_MONTH_SEL = rf"(?:{_MONTH_RANGE}(?:,{_MONTH_RANGE})*)"
_YEAR_SEL = rf"(?:{_YEAR}(?:-{_YEAR})?(?:/[0-9]+)?(?:,{_YEAR}(?:-{_YEAR})?)*\+?)"
_WEEK_SEL = r"(?:week ?[0-5]?[0-9](?:-[0-5]?[0-9])?(?:/[0-9]+)?(?:,[0-5]?[0-9](?:-[0-5]?[0-9])?)*)"
_EVENT = r"(?:sunrise|sunset|dawn|dusk)"
_CLOCK = r"(?:[0-4]?[0-9]:[0-5][0-9])"
_TIME = rf"(?:{_CLOCK}|{_EVENT}|\({_EVENT}[+-]{_CLOCK}\))"
_SPAN = rf"(?:{_TIME}(?:-{_TIME}(?:/[0-9]{{1,3}}|/{_CLOCK})?\+?|\+)?)"
_TIME_SEL = rf"(?:{_SPAN}(?:,{_SPAN})*)"
_STATE = r"(?:open|closed|off|unknown)"
_COMMENT = r'(?:"[^"]*")'

_RULE = re.compile(
    rf"^(?:{_YEAR_SEL} )?(?:{_MONTH_SEL}:? ?)?(?:{_WEEK_SEL}:? ?)?(?:{_WD_SEL}:? ?)?"
    rf"(?:{_TIME_SEL} ?)?(?:{_STATE} ?)?(?:{_COMMENT})?$"
)
# ";" and "||" separate rules, and so does ", " before a new selector ("Sa 09:00-12:00, Su …");
# never inside a quoted comment.
_SEPARATORS = re.compile(r'\s*(?:;|\|\||,\s+(?=[A-Za-z"]))\s*(?=(?:[^"]*"[^"]*")*[^"]*$)')
_CLOCK_VALUE = re.compile(r"\b([0-9]{1,2}):([0-9]{2})\b")
EXAMPLE = "Mo-Fr 08:00-16:00; Sa 09:00-12:00; PH off"


def opening_hours_problem(value: str) -> str | None:
    """Why ``value`` is not valid opening_hours, or None when it is."""
    text = value.strip()
    if not text:
        return None
    if text == "24/7":
        return None
    for rule in _SEPARATORS.split(text):
        rule = re.sub(r"\s+", " ", rule.strip())
        if not rule:
            return f"an empty rule between separators (write e.g. {EXAMPLE})"
        if rule == "24/7":
            continue
        if not _RULE.match(rule):
            return f"'{rule[:60]}' is not in opening_hours syntax (e.g. {EXAMPLE})"
    for hours, minutes in _CLOCK_VALUE.findall(text):
        if int(hours) > 48:
            return f"{hours}:{minutes} is not a time of day"
    return None
