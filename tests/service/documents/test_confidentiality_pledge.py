"""The pledge carries the seed's annex 1 word for word, filled in for one person."""

from __future__ import annotations

from tests.service.documents.seed_kinds import payload, rendered_text


def test_pledge_has_annex_points_and_the_persons_details() -> None:
    text = rendered_text("confidentiality-pledge", payload("confidentiality-pledge"))
    assert "KONFIDENCIALUMO PASIŽADĖJIMAS" in text
    assert "2026 m. rugsėjo 1 d." in text
    assert "Rūta Vaitkevičienė" in text and "socialinė pedagogė" in text
    for point in ("1.1.", "1.3.", "2.4.", "3.4.", "4."):
        assert point in text
    assert "saugoti duomenų paslaptį" in text
    assert "(pareigos)" in text and "(vardas, pavardė)" in text and "(parašas)" in text
