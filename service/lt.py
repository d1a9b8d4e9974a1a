"""Lithuanian writing: long dates, marks in words, act citations (domain.md §4-5)."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from num2words import num2words

# Non-numeric marks a journal may carry, with the full name written on documents.
MARK_NAMES: dict[str, str] = {
    "įsk": "įskaityta",
    "nsk": "neįskaityta",
    "atl": "atleistas (-a)",
    "neat": "neatestuotas (-a)",
    "pp": "padarė pažangą",
    "np": "nepadarė pažangos",
    "npt": "nepatenkinamas lygis",
    "pt": "patenkinamas lygis",
    "pg": "pagrindinis lygis",
    "a": "aukštesnysis lygis",
}

ALLOWED_MARKS_TEXT = "1–10 arba " + ", ".join(MARK_NAMES)


def long_date(day: dt.date) -> str:
    """``2019 m. birželio 14 d.``: the genitive month, no leading zero."""
    return format_date(day, "long", locale="lt")


def normalize_mark(value: object) -> str:
    """Return the canonical mark (``"1"``..``"10"`` or a code) or raise ValueError in Lithuanian."""
    if isinstance(value, bool):
        raise ValueError(f"netinkamas įvertinimas „{value}“: leidžiami {ALLOWED_MARKS_TEXT}")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.lower() in MARK_NAMES:
            return text.lower()
    else:
        raise ValueError(f"netinkamas įvertinimas „{value}“: leidžiami {ALLOWED_MARKS_TEXT}")
    if text.isdigit() and 1 <= int(text) <= 10 and text == str(int(text)):
        return text
    raise ValueError(f"netinkamas įvertinimas „{value}“: leidžiami {ALLOWED_MARKS_TEXT}")


def mark_text(mark: str) -> str:
    """``"9"`` -> ``"9 (devyni)"``; ``"įsk"`` -> ``"įskaityta"``."""
    if mark in MARK_NAMES:
        return MARK_NAMES[mark]
    return f"{mark} ({num2words(int(mark), lang='lt')})"


def cite_order(day: dt.date, number: str) -> str:
    """``direktoriaus 2019 m. birželio 14 d. įsakymu Nr. V-132``."""
    return f"direktoriaus {long_date(day)} įsakymu Nr. {number}"
