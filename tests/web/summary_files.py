"""A class summary as a class teacher fills in the CSV layout of the blank template."""

from __future__ import annotations

HEAD = [
    "Klasė;5a",
    "Mokslo metai;2025-2026",
    "Laikotarpis;II pusmetis",
    "Klasės vadovas;Jūratė Mockienė",
    "",
    "Vardas;Pavardė;Matematika;Dailė;Tikyba;Praleista;Pateisinta;Pastabos",
]


def summary_csv(*, bad: bool = False) -> bytes:
    rows = [
        "Augustas;Balčiūnas;8;10;įsk;23;23;",
        # With bad=True: a mark out of range and more excused lessons than missed.
        f"Ema;Čepaitė;{11 if bad else 9};9;įsk;{4};{6 if bad else 4};",
        "Jonas;Žilinskas;7;8;įsk;0;0;Atvyko vasario mėn.",
    ]
    return ("\n".join(HEAD + rows) + "\n").encode("utf-8")
