"""The shared list of nasty input. Every text field, query parameter and upload should survive it:
no 500, nothing executed, and text that is accepted comes back byte for byte.

Use ``HOSTILE`` for strings, ``HOSTILE_BYTES`` for raw uploads, ``UNSAFE_URLS`` for fields that
hold links and ``FORMULAS`` for anything that ends up in a spreadsheet.
"""

MARKUP = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "</textarea><iframe src=//example.org>",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "&lt;b&gt;entities&lt;/b&gt; &amp;amp;",
]
SQL = [
    "' OR '1'='1",
    "'; DROP TABLE places; --",
    "%_\\%\\_",
    "$$ ; SELECT pg_sleep(5); $$",
    "Robert'); DELETE FROM users;--",
]
UNICODE = [
    "\u202eevil\u202c.exe",                      # right-to-left override
    "zero\u200bwidth\u200c\u200d\ufeffjoiners",
    "مدرسة الأمل",                                # Arabic
    "Школа №1",                                   # Cyrillic
    "👩🏽‍🏫 Lernort 📚🏳️‍🌈",
    "Ｆｕｌｄａ ｆｕｌｌｗｉｄｔｈ",
    "e\u0301\u0301\u0301 combining",
    "\U0001d573\U0001d586\U0001d591\U0001d591",      # mathematical letters outside the BMP
]
CONTROL = [
    "nul\x00byte",
    "line\nbreak\r\nand\ttab",
    "\x1b[31mansi\x1b[0m",
    "\x7f\x08backspace",
]
LONG = [
    "A" * 10_000,
    "ü" * 5_001,
    "word " * 2_000,
]
UNSAFE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example.org",
]
FORMULAS = [
    "=HYPERLINK(\"http://evil.example.org\",\"klick\")",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "=cmd|' /C calc'!A0",
    "\t=1+1",
]

HOSTILE = MARKUP + SQL + UNICODE + CONTROL + LONG + UNSAFE_URLS + FORMULAS

HOSTILE_BYTES = [
    b"\xff\xfe\x00\x00broken",                  # a UTF-32 BOM then garbage
    b"caf\xc3",                                  # truncated UTF-8
    b"\xc0\xaf overlong slash",
    b"\xed\xa0\x80 lone surrogate",
    b"plain \x00 nul",
]
