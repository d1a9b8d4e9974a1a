from __future__ import annotations

import json
from pathlib import Path

import pytest

from retention.rules import (
    RetentionRule,
    RuleDataError,
    RuleSet,
    Trigger,
    UnknownRule,
    default_rules,
    load_rules,
    parse_rule,
)
from tests.retention.factories import event_rule, make_rule, permanent_rule, rule_data


def test_shipped_rules_load() -> None:
    assert len(default_rules()) > 0


def test_every_shipped_rule_is_unverified() -> None:
    assert [rule.id for rule in default_rules() if rule.verified] == []


def test_shipped_rule_ids_are_unique() -> None:
    raw = json.loads(Path(__file__).parents[2].joinpath("retention/rules.json").read_text("utf-8"))
    ids = [rule["id"] for rule in raw["rules"]]
    assert len(ids) == len(set(ids))


def test_lookup_by_id() -> None:
    rule = make_rule(id="a-rule")
    assert RuleSet([rule]).get("a-rule") is rule


def test_unknown_id_raises_lithuanian_key_error() -> None:
    with pytest.raises(UnknownRule) as caught:
        RuleSet([make_rule()])["nera"]
    assert isinstance(caught.value, KeyError)
    assert str(caught.value) == "Saugojimo taisyklė „nera“ nerasta."


def test_duplicate_ids_rejected() -> None:
    with pytest.raises(RuleDataError, match="„dup“ kartojasi"):
        RuleSet([make_rule(id="dup"), make_rule(id="dup", years=10, term="10 m.")])


def test_with_rule_replaces_in_place_and_leaves_original() -> None:
    original = RuleSet([make_rule(id="a"), make_rule(id="b")])
    edited = original.with_rule(make_rule(id="a", years=75, term="75 m.", verified=True))
    assert (edited.ids, edited["a"].years, original["a"].years) == (("a", "b"), 75, 50)


def test_with_rule_appends_new_id() -> None:
    edited = RuleSet([make_rule(id="a")]).with_rule(make_rule(id="b"))
    assert edited.ids == ("a", "b")


def test_json_round_trip() -> None:
    rules = RuleSet(
        [make_rule(), permanent_rule(id="perm"), event_rule(id="ev")], description="Importas"
    )
    assert RuleSet.from_json(rules.to_json()) == rules


def test_json_export_keeps_lithuanian_letters_readable() -> None:
    assert "išvykimo" in RuleSet([event_rule()]).to_json()


def test_load_rules_from_path(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(RuleSet([make_rule(id="x")]).to_json(), encoding="utf-8")
    assert load_rules(path).ids == ("x",)


def test_rule_is_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        make_rule().years = 1  # type: ignore[misc]


def test_event_trigger_parsed_from_json() -> None:
    assert event_rule().trigger is Trigger.EVENT


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"permanent": True, "term": "P"}, "nuolat saugomai taisyklei metų skaičius"),
        ({"years": None}, "turi būti ne mažesnis nei 1"),
        ({"years": 0, "term": "Pagal sutartį"}, "turi būti ne mažesnis nei 1"),
        ({"trigger": "event"}, "būtina nurodyti įvykį"),
        ({"event_name": "Išvykimas"}, "tik nuo įvykio skaičiuojamai"),
        ({"years": 5}, "terminas „50 m.“ reiškia 50 m., o nurodyta 5 m."),
        ({"term": "10 m. po išvykimo", "years": 10}, "skaičiuojamas nuo įvykio"),
        ({"index": "V-999"}, "laukas „index“: leistinos reikšmės: „V-1511“, „V-100“"),
        ({"id": "Bloga Reikšmė"}, "laukas „id“: leidžiamos tik mažosios"),
        ({"years": "50"}, "laukas „years“: turi būti sveikasis skaičius"),
        ({"title": "  "}, "laukas „title“: negali būti tuščias"),
        ({"extra": 1}, "laukas „extra“: nežinomas laukas"),
    ],
)
def test_invalid_rule_rejected_with_lithuanian_message(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(RuleDataError, match=message):
        parse_rule(rule_data(**overrides))


def test_permanent_event_rule_rejected() -> None:
    data = rule_data(term="P", years=None, permanent=True, trigger="event", event_name="Įvykis")
    with pytest.raises(RuleDataError, match="negali priklausyti nuo įvykio"):
        parse_rule(data)


def test_import_error_names_the_rule_position_and_id() -> None:
    text = json.dumps({"rules": [rule_data(id="gera"), rule_data(id="bloga", years=-1)]})
    with pytest.raises(RuleDataError, match=r"taisyklė Nr\. 2 \(„bloga“\)"):
        RuleSet.from_json(text)


def test_import_rejects_invalid_json() -> None:
    with pytest.raises(RuleDataError, match="nėra tinkamas JSON"):
        RuleSet.from_json("{")


def test_missing_required_field_named() -> None:
    data = rule_data()
    del data["source"]
    with pytest.raises(RuleDataError, match="laukas „source“: privalomas laukas nenurodytas"):
        parse_rule(data)


def test_direct_construction_also_validates() -> None:
    with pytest.raises(ValueError, match="būtina nurodyti įvykį"):
        RetentionRule.model_validate(rule_data(trigger="event"))
