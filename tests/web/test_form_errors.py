"""How a form's errors reach the person (pure logic of service/web/forms.py, no server): each at
its field, every required field of an empty group marked, named by the Lithuanian label and never
by a payload key, listed in the summary in the order of the page; dates read as typed."""

from __future__ import annotations

import pytest

from service.kinds import load_kinds
from service.web import forms
from service.web.kind_forms import FORMS

KINDS = load_kinds()


def _validate(kind: str, values: dict[str, str]) -> forms.Filled:
    spec = FORMS[kind]
    filled = forms.read_form(spec, values)
    assert forms.validate(spec, KINDS[kind].model, filled) is None
    return filled


def test_a_wholly_empty_group_marks_each_of_its_required_fields() -> None:
    filled = _validate("leaving-certificate", {"student.first_name": "Ona"})
    # The order is missing as a whole: both its fields are marked, not only the first in
    # alphabetical order ("order.date" < "order.number").
    assert filled.errors["order.number"] == ["privalomas laukas nepateiktas"]
    assert filled.errors["order.date"] == ["privalomas laukas nepateiktas"]
    # An optional field of the form is never marked for it.
    assert "destination" not in filled.errors


def test_an_empty_group_with_one_field_filled_marks_only_the_missing_one() -> None:
    filled = _validate("leaving-certificate", {"order.number": "V-1"})
    assert "order.number" not in filled.errors
    assert filled.errors["order.date"] == ["privalomas laukas nepateiktas"]


def test_the_summary_names_labels_in_page_order_and_links_each_field() -> None:
    filled = _validate(
        "leaving-certificate",
        {"student.first_name": "Ona", "results.0.subject": "Matematika", "results.0.mark": "11"},
    )
    items = forms.spec_error_items(FORMS["leaving-certificate"], filled)
    texts = [i.text for i in items]
    assert texts[0] == "Pavardė: privalomas laukas nepateiktas"
    assert "Įsakymo Nr.: privalomas laukas nepateiktas" in texts
    assert "Įsakymo data: privalomas laukas nepateiktas" in texts
    assert texts.index("Įsakymo Nr.: privalomas laukas nepateiktas") < texts.index(
        "Įsakymo data: privalomas laukas nepateiktas"
    )
    mark = next(i for i in items if i.target == "f-results-0-mark")
    assert mark.text.startswith("Mokymosi pasiekimai, 1 eilutė, įvertinimas: netinkamas")
    for item in items:
        # No payload key anywhere a person reads.
        for key in ("student.", "order.", "results.", "_lessons", "left_on", "class_name"):
            assert key not in item.text, item.text


def test_fields_sharing_a_label_are_told_apart_by_their_group() -> None:
    filled = _validate("change-act", {"wrong.mark": "8", "correct.mark": "8"})
    texts = [i.text for i in forms.spec_error_items(FORMS["change-act"], filled)]
    assert any(t.startswith("Klaidingi duomenys – Praleista pamokų:") for t in texts), texts
    assert any(t.startswith("Teisingi duomenys – Praleista pamokų:") for t in texts), texts


def test_a_whole_model_rule_lands_at_its_field_in_the_forms_words() -> None:
    cert = {
        "student.first_name": "Ona",
        "student.last_name": "Onaitė",
        "class_name": "6b",
        "enrolled_on": "2020-09-01",
        "left_on": "2026-01-10",
        "order.number": "V-1",
        "order.date": "2026-01-09",
        "reason": "Keičia gyvenamąją vietą",
        "results.0.subject": "Matematika",
        "results.0.period": "I pusmetis",
        "results.0.mark": "8",
        "missed_lessons": "3",
        "excused_lessons": "5",
    }
    filled = _validate("leaving-certificate", cert)
    [message] = filled.errors["excused_lessons"]
    assert message.startswith("pateisintų pamokų negali būti daugiau nei praleistų")


def test_several_named_problems_in_one_message_each_land_at_their_row() -> None:
    labels = forms.labels_of(FORMS["progress-report"])
    assert forms.humanize(labels, "„marks[2].date“ ir students[0]") == (
        "„Mėnesio įvertinimai, 3 eilutė, data“ ir students[0]"
    )
    spec = FORMS["progress-report"]
    filled = forms.Filled(rows={"marks": [{}, {}, {}]})
    error = {
        "type": "value_error",
        "loc": (),
        "msg": "",
        "input": None,
        "ctx": {
            "error": "„marks[0].date“: 2026-11-03 nėra 2026-10; „marks[2].date“: 2026-09-01 nėra"
        },
    }
    forms.attach_errors(spec, filled, [error])  # type: ignore[list-item]
    assert filled.errors["marks.0.date"] == ["2026-11-03 nėra 2026-10"]
    assert filled.errors["marks.2.date"] == ["2026-09-01 nėra"]


def test_a_refusal_splits_into_fields_by_their_labels() -> None:
    labels = {"code": "Kodas", "title": "Pavadinimas", "case_index": "Bylos indeksas"}
    errors = forms.split_refusal(
        "Netinkami duomenys. „code“: reikšmė negali būti tuščia; „case_index“: privalomas "
        "laukas nepateiktas; „number_format“: x.",
        labels,
    )
    assert errors == {
        "code": ["reikšmė negali būti tuščia"],
        "case_index": ["privalomas laukas nepateiktas"],
        forms.FORM_ERROR: ["„number_format“: x"],
    }
    items = forms.error_items(
        [forms.Field(n, label) for n, label in labels.items()], errors, prefix="reg"
    )
    assert [(i.target, i.text) for i in items] == [
        ("reg-code", "Kodas: reikšmė negali būti tuščia"),
        ("reg-case_index", "Bylos indeksas: privalomas laukas nepateiktas"),
        ("", "„number_format“: x"),
    ]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2026-09-01", "2026-09-01"),
        ("2026.09.01", "2026-09-01"),
        ("2026.9.1.", "2026-09-01"),
        ("2026 9 1", "2026-09-01"),
        ("2026/09/01", "2026-09-01"),
        ("20260901", "2026-09-01"),
        (" 2026-9-1 ", "2026-09-01"),
        # Not a Lithuanian order: left as typed, for the model to refuse by name.
        ("09/01/2026", "09/01/2026"),
        ("01.09.2026", "01.09.2026"),
        ("rytoj", "rytoj"),
    ],
)
def test_dates_are_read_in_the_lithuanian_order(typed: str, read: str) -> None:
    assert forms.normalize_date(typed) == read


def test_a_date_field_takes_a_dotted_date_and_refuses_an_american_one() -> None:
    spec = FORMS["confidentiality-pledge"]
    base = {"person.name": "Ona Onaitė", "person.position": "Mokytoja"}
    accepted = forms.read_form(spec, base | {"date": "2026.9.1"})
    assert forms.validate(spec, KINDS[spec.kind].model, accepted) == {
        "person": {"name": "Ona Onaitė", "position": "Mokytoja"},
        "date": "2026-09-01",
    }
    refused = _validate(spec.kind, base | {"date": "09/01/2026"})
    assert refused.errors["date"] == ["data turi būti formatu MMMM-MM-DD, gauta „09/01/2026“"]
    assert forms.normalize_month("2026.1") == "2026-01"
    assert forms.normalize_month("spalis") == "spalis"
