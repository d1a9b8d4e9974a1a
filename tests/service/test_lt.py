"""Lithuanian formatting: long dates, marks as words, act citations."""

from __future__ import annotations

import datetime as dt

import pytest

from service import lt
from service.lt import MARK_NAMES, cite_order, long_date, mark_text, normalize_mark


def test_long_date_uses_genitive_month_without_leading_zero() -> None:
    assert long_date(dt.date(2019, 6, 14)) == "2019 m. birželio 14 d."
    assert long_date(dt.date(2026, 1, 5)) == "2026 m. sausio 5 d."


@pytest.mark.parametrize(
    ("mark", "text"),
    [("1", "1 (vienas)"), ("6", "6 (šeši)"), ("9", "9 (devyni)"), ("10", "10 (dešimt)")],
)
def test_numeric_mark_is_written_as_number_and_word(mark: str, text: str) -> None:
    assert mark_text(mark) == text


def test_non_numeric_mark_is_written_in_full() -> None:
    assert mark_text("įsk") == "įskaityta"
    assert mark_text("np") == "nepadarė pažangos"


@pytest.mark.parametrize("value", [9, "9", " 10 ", "ĮSK", "pg", "a"])
def test_accepted_marks_normalize(value: object) -> None:
    assert normalize_mark(value) in {str(n) for n in range(1, 11)} | set(MARK_NAMES)


@pytest.mark.parametrize("value", [0, 11, "11", "09", "8.5", 8.5, True, "puikiai", "", None])
def test_rejected_mark_names_the_value(value: object) -> None:
    with pytest.raises(ValueError, match="netinkamas įvertinimas") as info:
        normalize_mark(value)
    assert f"„{value}“" in str(info.value)


def test_order_citation() -> None:
    assert (
        cite_order(dt.date(2019, 6, 14), "V-132")
        == "direktoriaus 2019 m. birželio 14 d. įsakymu Nr. V-132"
    )


# -- issue 11: order, rounding, positions, institution names ----------------------------------


def test_lithuanian_alphabetical_order_letter_by_letter() -> None:
    from service.lt import LITHUANIAN_ALPHABET, collation_key

    shuffled = ["Žukas", "Zubrus", "Šimkus", "Sabonis", "Ąžuolas", "Azarovas", "Ylevičius",
                "Ivanauskas", "Įdrys", "Jankus", "Čepas", "Cukras", "Ūselis", "Uselis",
                "Ėglė", "Eglė", "Ęsa", "Urbonas", "Ųla"]  # fmt: skip
    assert sorted(shuffled, key=collation_key) == [
        "Azarovas", "Ąžuolas", "Cukras", "Čepas", "Eglė", "Ęsa", "Ėglė", "Ivanauskas",
        "Įdrys", "Ylevičius", "Jankus", "Sabonis", "Šimkus", "Urbonas", "Uselis", "Ųla",
        "Ūselis", "Zubrus", "Žukas",
    ]  # fmt: skip
    # Every letter of the alphabet sorts after the one before it, in either case.
    letters = list(LITHUANIAN_ALPHABET)
    backwards = letters[::-1]
    assert sorted(backwards, key=collation_key) == letters
    assert sorted(backwards) != letters  # not the order of code points
    capitals = [letter.upper() for letter in backwards]
    assert sorted(capitals, key=collation_key) == [letter.upper() for letter in letters]


def test_surname_first_then_first_name() -> None:
    from service.lt import person_key

    people = [("Ona", "Šimkutė"), ("Ąžuolas", "Šimkutė"), ("Zita", "Balčiūnė"), ("Ana", "Ūla")]
    ordered = sorted(people, key=lambda p: person_key(p[1], p[0]))
    assert ordered == [("Zita", "Balčiūnė"), ("Ąžuolas", "Šimkutė"), ("Ona", "Šimkutė"),
                       ("Ana", "Ūla")]  # fmt: skip


def test_a_hyphen_or_space_sorts_before_any_letter() -> None:
    from service.lt import collation_key

    assert sorted(["Kimaitė", "Kim Ona", "Kim-Ana"], key=collation_key) == [
        "Kim-Ana",
        "Kim Ona",
        "Kimaitė",
    ]


@pytest.mark.parametrize(
    ("value", "printed"),
    [("8.625", "8,63"), ("8.615", "8,62"), ("8.624", "8,62"), ("9.995", "10,00"), ("7", "7,00")],
)
def test_averages_round_half_up(value: str, printed: str) -> None:
    from decimal import Decimal

    from service.documents.common import decimal_lt

    assert decimal_lt(Decimal(value)) == printed


@pytest.mark.parametrize(
    ("name", "genitive"),
    [
        ("Kauno Milikonių progimnazija", "Kauno Milikonių progimnazijos"),
        ("Šilutės Pamario pagrindinė mokykla", "Šilutės Pamario pagrindinės mokyklos"),
        ("Vilniaus Jono Basanavičiaus gimnazija", "Vilniaus Jono Basanavičiaus gimnazijos"),
        ("Kauno lopšelis-darželis", "Kauno lopšelio-darželio"),
        ("Alytaus muzikos mokykla", "Alytaus muzikos mokyklos"),
        ("Šilutės Žalgirio bandomoji progimnazija", "Šilutės Žalgirio bandomosios progimnazijos"),
    ],
)
def test_institution_name_in_the_genitive(name: str, genitive: str) -> None:
    from service.lt import genitive_name

    assert genitive_name(name) == genitive


@pytest.mark.parametrize(
    ("position", "in_text"),
    [("Raštinės vedėja", "raštinės vedėja"), ("IT specialistas", "IT specialistas"),
     ("direktorė", "direktorė"), ("Ė", "Ė")],
)  # fmt: skip
def test_position_mid_sentence(position: str, in_text: str) -> None:
    from service.lt import in_sentence

    assert in_sentence(position) == in_text


def test_school_years_print_with_an_en_dash() -> None:
    import datetime as dt

    from service.lt import school_year_of, school_year_text

    assert school_year_text("2025-2026") == "2025–2026"
    assert school_year_of(dt.date(2026, 8, 31)) == "2025–2026"
    assert school_year_of(dt.date(2026, 9, 1)) == "2026–2027"


# -- counts in words and search folding (issue 12) ------------------------------------------


@pytest.mark.parametrize(
    ("n", "noun", "text"),
    [
        (0, "byla", "0 (nulis) bylų"),
        (1, "byla", "1 (viena) byla"),
        (2, "byla", "2 (dvi) bylos"),
        (5, "byla", "5 (penkios) bylos"),
        (10, "byla", "10 (dešimt) bylų"),
        (11, "byla", "11 (vienuolika) bylų"),
        (21, "byla", "21 (dvidešimt viena) byla"),
        (34, "byla", "34 (trisdešimt keturios) bylos"),
        (1, "lapas", "1 (vienas) lapas"),
        (2, "lapas", "2 (du) lapai"),
        (19, "lapas", "19 (devyniolika) lapų"),
        (101, "lapas", "101 (šimtas vienas) lapas"),
        (212, "lapas", "212 (du šimtai dvylika) lapų"),
        (1000, "lapas", "1000 (tūkstantis) lapų"),
        (2345, "lapas", "2345 (du tūkstančiai trys šimtai keturiasdešimt penki) lapai"),
        (21001, "byla", "21001 (dvidešimt vienas tūkstantis viena) byla"),
    ],
)
def test_counts_are_written_in_figures_and_words_in_the_nouns_gender(
    n: int, noun: str, text: str
) -> None:
    assert lt.count_text(n, noun) == text


def test_number_words_refuses_what_it_cannot_write() -> None:
    with pytest.raises(ValueError, match="už ribų"):
        lt.number_words(-1)
    with pytest.raises(ValueError, match="už ribų"):
        lt.number_words(1_000_000)


def test_fold_drops_case_and_lithuanian_letters() -> None:
    assert lt.fold("Gabija ŽUKAUSKAITĖ") == "gabija zukauskaite"
    assert lt.fold("ąčęėįšųūž  ĄČĘĖĮŠŲŪŽ") == "aceeisuuz aceeisuuz"
    assert lt.search_words(" Žukauskaitė  6b ") == ["zukauskaite", "6b"]


@pytest.mark.parametrize(
    ("period", "genitive"),
    [("II pusmetis", "II pusmečio"), ("I trimestras", "I trimestro"), ("Metinis", "metinė")],
)
def test_period_genitive(period: str, genitive: str) -> None:
    assert lt.period_genitive(period) == genitive


def test_unknown_period_has_no_genitive() -> None:
    assert lt.period_genitive("vasaros stovykla") is None
