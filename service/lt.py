"""Lithuanian writing: long dates, marks in words, act citations (domain.md §4-5)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

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


# -- school years, positions, institution names ----------------------------------------------

EN_DASH = "–"


def school_year_text(value: str) -> str:
    """``"2025-2026"`` -> ``"2025–2026"``: a span of years takes an en dash in print."""
    return value.replace("-", EN_DASH).replace("—", EN_DASH)


def school_year_of(day: dt.date) -> str:
    """The school year a day falls in (September to August), e.g. ``"2025–2026"``."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}{EN_DASH}{start + 1}"


def in_sentence(position: str) -> str:
    """A position as it reads after a comma or colon: ``"Raštinės vedėja"`` -> ``"raštinės
    vedėja"``; an abbreviation (``"IT specialistas"``) keeps its capitals."""
    position = position.strip()
    if len(position) > 1 and position[0].isupper() and position[1].islower():
        return position[0].lower() + position[1:]
    return position


# Nominative endings of the words that head an institution's name, with their genitive. Longest
# first. Words already in the genitive (the place and patron: "Kauno", "Milikonių", "Jono
# Basanavičiaus") end the declension: only the trailing nominative words change.
_GENITIVE_ENDINGS = (
    ("ioji", "iosios"),
    ("oji", "osios"),
    ("ėji", "ėsios"),
    ("ija", "ijos"),
    ("is", "io"),
    ("ys", "io"),
    ("as", "o"),
    ("us", "aus"),
    ("a", "os"),
    ("ė", "ės"),
)
_ALREADY_GENITIVE = ("aus", "ių", "ų", "io", "os", "ės", "o", "ės", "ojo", "osios", "iosios")


def _genitive_word(word: str) -> str | None:
    if not word or not word[0].islower():
        return None
    for tail in _ALREADY_GENITIVE:
        if word.endswith(tail):
            return None
    for nominative, genitive in _GENITIVE_ENDINGS:
        if word.endswith(nominative):
            return word[: -len(nominative)] + genitive
    return None


def genitive_name(name: str) -> str:
    """``"Kauno Milikonių progimnazija"`` -> ``"Kauno Milikonių progimnazijos"``;
    ``"Šilutės Pamario pagrindinė mokykla"`` -> ``"... pagrindinės mokyklos"``.

    Only the trailing lower-case nominative words change (a hyphenated one part by part);
    where this rule is wrong the school profile's ``name_genitive`` says it instead.
    """
    words = name.split()
    for i in range(len(words) - 1, -1, -1):
        parts = words[i].split("-")
        declined = [_genitive_word(part) for part in parts]
        if any(d is None for d in declined):
            break
        words[i] = "-".join(d for d in declined if d is not None)
    return " ".join(words)


# -- Lithuanian alphabetical order -----------------------------------------------------------

# The alphabet (a ą b c č d e ę ė f g h i į y j k l m n o p r s š t u ų ū v z ž), with the
# letters of foreign names put where Lithuanian dictionaries put them: q after p, w after v,
# x before y. Every letter is its own step, as the alphabet lists them.
LITHUANIAN_ALPHABET = "aąbcčdeęėfghiįxyjklmnopqrsštuųūvwzž"
_RANK = {letter: i for i, letter in enumerate(LITHUANIAN_ALPHABET)}


def _letter_rank(character: str) -> tuple[int, int]:
    lower = character.lower()
    if lower in _RANK:
        return (1, _RANK[lower])
    base = unicodedata.normalize("NFD", lower)[:1]  # é -> e, ö -> o, ł stays
    if base in _RANK:
        return (1, _RANK[base])
    if character.isdigit():
        return (0, ord(character))
    if character.isspace() or character in "-'\u2019.":
        return (0, -1)  # separators before any letter: "Kim Ana" before "Kima"
    return (2, ord(lower))


def collation_key(text: str) -> tuple[tuple[tuple[int, int], ...], str]:
    """Sort key for Lithuanian alphabetical order: letters by the alphabet, case ignored
    (upper case first only to break a tie)."""
    return tuple(_letter_rank(c) for c in " ".join(text.split())), text.swapcase()


def person_key(last_name: str, first_name: str) -> tuple[object, ...]:
    """By surname, then first name, in Lithuanian alphabetical order."""
    return (collation_key(last_name), collation_key(first_name))


# -- numbers ---------------------------------------------------------------------------------


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """``8.625`` -> ``8.63``: schools round half up, not to even."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# -- search folding --------------------------------------------------------------------------


def name_key(name: str) -> str:
    """Two spellings of one person compare equal (case and inner spaces do not matter)."""
    return " ".join(name.split()).casefold()


def fold(text: str) -> str:
    """``"Žukauskaitė"`` -> ``"zukauskaite"``: case and diacritics dropped, spaces collapsed.

    People type names in lower case and without Lithuanian letters; the stored search key and
    the query are folded the same way, so a plain ``LIKE`` finds them on SQLite (whose LIKE folds
    only ASCII letters) and PostgreSQL alike.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def search_words(query: str) -> list[str]:
    """The folded words of a query, each of which must occur (in any order)."""
    return fold(query).split()


# -- counts in words -------------------------------------------------------------------------

# (masculine, feminine) for 1-9; the teens and the tens are the same for both genders.
_UNITS = (
    ("", ""),
    ("vienas", "viena"),
    ("du", "dvi"),
    ("trys", "trys"),
    ("keturi", "keturios"),
    ("penki", "penkios"),
    ("šeši", "šešios"),
    ("septyni", "septynios"),
    ("aštuoni", "aštuonios"),
    ("devyni", "devynios"),
)
_TEENS = (
    "dešimt",
    "vienuolika",
    "dvylika",
    "trylika",
    "keturiolika",
    "penkiolika",
    "šešiolika",
    "septyniolika",
    "aštuoniolika",
    "devyniolika",
)
_TENS = (
    "",
    "",
    "dvidešimt",
    "trisdešimt",
    "keturiasdešimt",
    "penkiasdešimt",
    "šešiasdešimt",
    "septyniasdešimt",
    "aštuoniasdešimt",
    "devyniasdešimt",
)

# noun -> (feminine, nominative singular, nominative plural, genitive plural)
NOUNS: dict[str, tuple[bool, str, str, str]] = {
    "byla": (True, "byla", "bylos", "bylų"),
    "lapas": (False, "lapas", "lapai", "lapų"),
    "dokumentas": (False, "dokumentas", "dokumentai", "dokumentų"),
    "tomas": (False, "tomas", "tomai", "tomų"),
}


def _form(n: int, singular: str, plural: str, genitive: str) -> str:
    """The noun's form after ``n``: 1, 21, 101 take the singular; 2-9 (not 12-19) the plural;
    0, 10-20, 30 ... the genitive plural."""
    if n % 10 == 0 or 10 < n % 100 < 20:
        return genitive
    if n % 10 == 1:
        return singular
    return plural


def _below_thousand(n: int, feminine: bool) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        if hundreds > 1:
            words.append(_UNITS[hundreds][0])
        words.append(_form(hundreds, "šimtas", "šimtai", "šimtų"))
    if 10 <= rest < 20:
        words.append(_TEENS[rest - 10])
    else:
        tens, units = divmod(rest, 10)
        if tens:
            words.append(_TENS[tens])
        if units:
            words.append(_UNITS[units][1 if feminine else 0])
    return words


def number_words(n: int, *, feminine: bool = False) -> str:
    """A whole number 0-999 999 in words, in the gender of the noun it counts:
    ``number_words(5, feminine=True)`` -> ``"penkios"``, ``number_words(21)`` ->
    ``"dvidešimt vienas"``."""
    if not 0 <= n < 1_000_000:
        raise ValueError(f"skaičius {n} už ribų (0–999 999)")
    if n == 0:
        return "nulis"
    thousands, rest = divmod(n, 1000)
    words: list[str] = []
    if thousands:
        if thousands > 1:
            words += _below_thousand(thousands, feminine=False)
        words.append(_form(thousands, "tūkstantis", "tūkstančiai", "tūkstančių"))
    words += _below_thousand(rest, feminine)
    return " ".join(words)


def count_text(n: int, noun: str) -> str:
    """``count_text(5, "byla")`` -> ``"5 (penkios) bylos"``; ``count_text(1, "lapas")`` ->
    ``"1 (vienas) lapas"``: the figure, the words in the noun's gender, the noun's form."""
    feminine, singular, plural, genitive = NOUNS[noun]
    words = number_words(n, feminine=feminine)
    return f"{n} ({words}) {_form(n, singular, plural, genitive)}"


# The genitive of a period's head noun, as a summary's heading reads ("II pusmečio ...").
_PERIOD_GENITIVE = {
    "pusmetis": "pusmečio",
    "trimestras": "trimestro",
    "ketvirtis": "ketvirčio",
    "semestras": "semestro",
    "metinis": "metinė",
    "metinė": "metinė",
}


def period_genitive(period: str) -> str | None:
    """``"II pusmetis"`` -> ``"II pusmečio"``; ``"Metinis"`` -> ``"metinė"``; None when the
    period's noun is not one a school calendar uses."""
    words = period.split()
    if not words:
        return None
    last = _PERIOD_GENITIVE.get(words[-1].casefold())
    if last is None:
        return None
    return " ".join([*words[:-1], last])
