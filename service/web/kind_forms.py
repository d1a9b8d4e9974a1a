"""The form of each document kind that has a web page; adding a kind is adding a FormSpec."""

from __future__ import annotations

from dataclasses import dataclass

from service.lt import ALLOWED_MARKS_TEXT
from service.web.forms import Field, FormSpec, Group, Rows

# The pupil's name, as every kind about one pupil asks it.
STUDENT_NAME = (Field("student.first_name", "Vardas"), Field("student.last_name", "Pavardė"))


def _attendance(prefix: str = "") -> tuple[Field, ...]:
    """Lessons missed and how many of them were excused (``prefix``: where in the payload)."""
    return (
        Field(f"{prefix}missed_lessons", "Praleista pamokų", type="number", width="narrow"),
        Field(f"{prefix}excused_lessons", "Iš jų pateisinta", type="number", width="narrow"),
    )


def _marks(name: str, legend: str, when: Field, rows: int) -> Rows:
    """A table of marks, one a row: the subject, when (``when``) and the mark."""
    return Rows(
        name,
        legend,
        (
            Field("subject", "Dalykas", width="wide"),
            when,
            Field("mark", "Įvertinimas", type="mark", width="narrow"),
        ),
        rows=rows,
        hint=f"Įvertinimas: {ALLOWED_MARKS_TEXT}. Tuščios eilutės nepaisomos.",
    )


LEAVING_CERTIFICATE = FormSpec(
    kind="leaving-certificate",
    title="Mokinio pasiekimų pažyma",
    menu_label="Išduoti pažymą",
    intro=(
        "Pažyma išduodama mokiniui, išvykstančiam mokslo metų eigoje (Aprašo 29, 32 p.). "
        "Užpildykite visus laukus; pažyma bus įregistruota ir įsegta į bylą."
    ),
    sections=(
        Group(
            "Mokinys",
            (
                *STUDENT_NAME,
                Field("class_name", "Klasė", hint="pvz., 6b", width="narrow"),
            ),
        ),
        Group(
            "Mokymasis mokykloje",
            (
                Field("enrolled_on", "Priimtas (-a) į mokyklą", type="date"),
                Field("left_on", "Išvyksta", type="date"),
                Field(
                    "order.number",
                    "Įsakymo Nr.",
                    hint="išbraukimo įsakymas, pvz., V-214",
                    width="narrow",
                ),
                Field("order.date", "Įsakymo data", type="date"),
                Field("reason", "Išvykimo priežastis", width="wide"),
                Field(
                    "destination",
                    "Kur išvyksta (mokykla)",
                    required=False,
                    hint="neprivaloma",
                    width="wide",
                ),
            ),
        ),
        _marks(
            "results",
            "Mokymosi pasiekimai",
            Field("period", "Laikotarpis", hint="pvz., I trimestras"),
            rows=8,
        ),
        Group("Lankomumas", _attendance()),
    ),
)


CONFIDENTIALITY_PLEDGE = FormSpec(
    kind="confidentiality-pledge",
    title="Konfidencialumo pasižadėjimas",
    menu_label="Pasižadėjimas",
    intro=(
        "Darbuotojo pasižadėjimas saugoti asmens duomenų paslaptį (Aprašo 1 priedas). "
        "Įregistravus pasižadėjimą, darbuotojui atsiveria asmens duomenys."
    ),
    sections=(
        Group(
            "Darbuotojas",
            (
                Field("person.name", "Vardas ir pavardė", width="wide"),
                Field("person.position", "Pareigos"),
                Field("date", "Pasirašymo data", type="date"),
                Field(
                    "user_id",
                    "Naudotojo Nr.",
                    type="number",
                    required=False,
                    hint="neprivaloma; nurodykite, jei yra keli to paties vardo naudotojai",
                    width="narrow",
                ),
            ),
        ),
    ),
    submit="Įregistruoti pasižadėjimą",
)

SAFETY_BRIEFING = FormSpec(
    kind="safety-briefing",
    title="Instruktažo lapas",
    menu_label="Instruktažo lapas",
    intro=(
        "Saugaus elgesio ar kito instruktažo lapas: po instruktažo jį pasirašo kiekvienas "
        "mokinys ir instruktavęs mokytojas (Aprašo 15, 31 p.)."
    ),
    sections=(
        Group(
            "Instruktažas",
            (
                Field("class_name", "Klasė", width="narrow"),
                Field("date", "Data", type="date"),
                Field("topic", "Tema", width="wide"),
                Field("content", "Turinys", type="textarea", width="wide"),
            ),
        ),
        Group(
            "Instruktavo",
            (
                Field("instructor.name", "Vardas ir pavardė"),
                Field("instructor.position", "Pareigos"),
            ),
        ),
        Group(
            "Mokiniai",
            (
                Field(
                    "students",
                    "Mokiniai (po vieną eilutėje)",
                    type="lines",
                    hint="Vardas ir pavardė kiekvienoje eilutėje; tuščios eilutės nepaisomos.",
                    width="wide",
                ),
            ),
        ),
    ),
)

CHANGE_ACT = FormSpec(
    kind="change-act",
    title="Aktas apie duomenų keitimą",
    menu_label="Duomenų keitimo aktas",
    intro=(
        "Surašomas, kai taisomi užrakinti e. dienyno duomenys (Aprašo 17, 23.9 p.). "
        "Įrašykite klaidingus ir teisingus duomenis greta."
    ),
    sections=(
        Group(
            "Mokinys ir dalykas",
            (
                *STUDENT_NAME,
                Field("class_name", "Klasė", width="narrow"),
                Field("subject", "Dalykas"),
                Field("period", "Laikotarpis", hint="pvz., I pusmetis"),
            ),
        ),
        Group(
            "Klaidingi duomenys",
            (
                Field("wrong.mark", "Įvertinimas", type="mark", width="narrow"),
                *_attendance("wrong."),
            ),
        ),
        Group(
            "Teisingi duomenys",
            (
                Field("correct.mark", "Įvertinimas", type="mark", width="narrow"),
                *_attendance("correct."),
            ),
        ),
        Group(
            "Keitimas",
            (
                Field("corrected_by.name", "Taisė (vardas, pavardė)"),
                Field("corrected_by.position", "Taisiusio pareigos"),
                Field("administrator.name", "E. dienyno administratorius"),
                Field("changed_on", "Keitimo data", type="date"),
                Field("reason", "Priežastis", type="textarea", width="wide"),
                Field(
                    "other",
                    "Kita",
                    type="textarea",
                    required=False,
                    hint="neprivaloma",
                    width="wide",
                ),
                Field(
                    "summary_id",
                    "Taisoma suvestinė (dokumento ID)",
                    required=False,
                    hint="neprivaloma; nurodžius aktas įsegamas kartu su suvestine",
                    width="wide",
                ),
            ),
        ),
    ),
    submit="Įregistruoti aktą",
)

PROGRESS_REPORT = FormSpec(
    kind="progress-report",
    title="Pažangumo ir lankomumo ataskaita tėvams",
    menu_label="Ataskaita tėvams",
    intro=(
        "Mėnesio ataskaita tėvams, negalintiems naudotis e. dienynu: mėnesio įvertinimai su "
        "datomis, praleistos pamokos ir vėlavimai, tėvų susipažinimo eilutė."
    ),
    sections=(
        Group(
            "Mokinys ir mėnuo",
            (
                *STUDENT_NAME,
                Field("class_name", "Klasė", width="narrow"),
                Field("month", "Mėnuo", type="month", hint="pvz., 2026-10"),
            ),
        ),
        _marks("marks", "Mėnesio įvertinimai", Field("date", "Data", type="date"), rows=10),
        Group(
            "Lankomumas",
            (
                *_attendance(),
                Field("late", "Pavėluota kartų", type="number", width="narrow"),
            ),
        ),
    ),
)

FORMS: dict[str, FormSpec] = {
    f.kind: f
    for f in (
        LEAVING_CERTIFICATE,
        CHANGE_ACT,
        SAFETY_BRIEFING,
        PROGRESS_REPORT,
        CONFIDENTIALITY_PLEDGE,
    )
}


@dataclass(frozen=True, slots=True)
class IssuePage:
    kind: str
    title: str
    intro: str


# Kinds issued from an uploaded file rather than a form (pages/summary.py).
UPLOADS = (
    IssuePage(
        "achievement-summary",
        "Klasės mokymosi pasiekimų suvestinė",
        "Įkelkite užpildytą suvestinės šabloną (XLSX arba CSV): klaidos parodomos visos iš karto, "
        "o be klaidų — peržiūra ir išdavimas (Aprašo 12, 23.10 p.).",
    ),
)
