"""The office manager's day in a real browser (Debian's chromium through Playwright) against a
real `bylos serve`: sign in, a form error, issue a certificate, open it, download it. Every page
state visited passes axe-core's WCAG 2.1 A/AA rules (browser_kit.state); with BYLOS_SCREENS=1
each is also saved to docs/screens/ for the README."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from service.school_year.calendar import school_year_bounds, school_year_of
from service.timeutil import today_vilnius
from tests.conftest import example
from tests.web.browser_kit import (
    ADMIN,
    ARCHIVIST,
    DEPUTY,
    DIRECTOR,
    MANAGER,
    NEWCOMER,
    TEACHER,
    sign_in,
    sign_out,
    state,
)
from tests.web.serve import Server
from tests.web.summary_files import summary_csv

pytestmark = pytest.mark.browser


def _csv(content: bytes) -> FilePayload:
    return {"name": "5a.csv", "mimeType": "text/csv", "buffer": content}


def fill_certificate(page: Page, data: dict[str, object]) -> None:
    student = data["student"]
    order = data["order"]
    assert isinstance(student, dict) and isinstance(order, dict)
    page.get_by_role("textbox", name="Vardas", exact=True).fill(student["first_name"])
    page.get_by_label("Pavardė").fill(student["last_name"])
    page.get_by_label("Klasė").fill(str(data["class_name"]))
    page.get_by_label("Priimtas (-a) į mokyklą").fill(str(data["enrolled_on"]))
    page.get_by_role("textbox", name="Išvyksta", exact=True).fill(str(data["left_on"]))
    page.get_by_label("Įsakymo Nr.").fill(order["number"])
    page.get_by_label("Įsakymo data").fill(order["date"])
    page.get_by_label("Išvykimo priežastis").fill(str(data["reason"]))
    page.get_by_label("Kur išvyksta (mokykla)").fill(str(data["destination"]))
    results = data["results"]
    assert isinstance(results, list)
    for i, r in enumerate(results):
        page.locator(f'[name="results.{i}.subject"]').fill(r["subject"])
        page.locator(f'[name="results.{i}.period"]').fill(r["period"])
        page.locator(f'[name="results.{i}.mark"]').fill(str(r["mark"]))
    page.get_by_label("Praleista pamokų").fill(str(data["missed_lessons"]))
    page.get_by_label("Iš jų pateisinta").fill(str(data["excused_lessons"]))


def test_office_manager_issues_and_downloads_a_certificate(page: Page, tmp_path: Path) -> None:
    sign_in(page, MANAGER["login"], screen="01-prisijungimas")
    expect(page.get_by_role("heading", name=re.compile("Laba diena, Rasa"))).to_be_visible()
    state(page, "02-pradzia", narrow=True)

    page.get_by_role("link", name="Išduoti", exact=True).click()
    state(page, "03-isduoti")
    page.get_by_role("link", name="Mokinio pasiekimų pažyma").click()
    data = example("leaving-certificate")
    # Nine results: one more than the form's rows, so the "add a row" script is needed.
    data["results"] = [*data["results"], *data["results"][:4]]
    page.get_by_role("button", name="+ Pridėti eilutę").click()
    fill_certificate(page, data)
    # A mark out of range: refused next to its field, everything typed kept.
    page.locator('[name="results.1.mark"]').fill("11")
    page.get_by_role("button", name="Išduoti ir įregistruoti").click()
    expect(page.get_by_text("Dokumentas neišduotas: pataisykite pažymėtus laukus.")).to_be_visible()
    # Beside its field, and named by its label in the summary the page opens on.
    expect(page.locator("#f-results-1-mark-err")).to_contain_text("netinkamas įvertinimas „11“")
    expect(page.locator("#klaidos")).to_be_focused()
    expect(page.locator("#klaidos")).to_contain_text(
        "Mokymosi pasiekimai, 2 eilutė, įvertinimas: netinkamas įvertinimas „11“"
    )
    expect(page.get_by_label("Pavardė")).to_have_value("Žukauskaitė")
    expect(page.locator('[name="results.8.subject"]')).to_have_value(data["results"][8]["subject"])
    state(page, "04-pazyma-klaidos", narrow=True)
    # Then a rule across fields: more excused lessons than missed.
    page.locator('[name="results.1.mark"]').fill("8")
    page.get_by_label("Iš jų pateisinta").fill("20")
    page.get_by_role("button", name="Išduoti ir įregistruoti").click()
    expect(page.locator("#f-excused_lessons-err")).to_contain_text(
        "pateisintų pamokų negali būti daugiau"
    )

    page.locator('[name="results.1.mark"]').fill("8")
    page.get_by_label("Iš jų pateisinta").fill("12")
    page.get_by_role("button", name="Išduoti ir įregistruoti").click()
    expect(page.get_by_text(re.compile("Dokumentas išduotas ir įregistruotas"))).to_be_visible()
    number = page.locator("h1 .muted").inner_text().removeprefix("Nr. ").strip()
    assert re.fullmatch(r"\S+-\d+", number), number
    page.wait_for_timeout(4000)  # the PDF viewer in the frame draws the first page
    state(page, "05-dokumentas")

    with page.expect_download() as info:
        page.get_by_role("link", name="Atsisiųsti PDF").click()
    saved = tmp_path / "pazyma.pdf"
    info.value.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF")
    assert info.value.suggested_filename == f"{number}.pdf"
    assert hashlib.sha256(content).hexdigest() in page.locator("code.hash").inner_text()
    with page.expect_download() as info_docx:
        page.get_by_role("link", name="Atsisiųsti DOCX").click()
    assert info_docx.value.suggested_filename == f"{number}.docx"

    page.get_by_role("link", name="Dokumentai").first.click()
    page.get_by_placeholder(re.compile("Vardas, pavardė")).fill("Žukauskaitė")
    page.get_by_role("button", name="Ieškoti").click()
    expect(page.get_by_role("link", name=number)).to_be_visible()
    state(page, "06-dokumentai")

    page.get_by_role("link", name="Registrai").click()
    state(page, "07-registrai")
    page.get_by_role("link", name=number.rsplit("-", 1)[0], exact=True).click()
    expect(page.get_by_role("link", name=number)).to_be_visible()
    state(page, "08-registras")

    # Another role's page typed by hand: a plain refusal.
    response = page.goto("/admin/mokykla")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Prieiga uždrausta")).to_be_visible()
    state(page, "09-prieiga-uzdrausta")

    # The same form on a tablet.
    page.set_viewport_size({"width": 800, "height": 1100})
    page.goto("/isduoti/leaving-certificate")
    state(page, "10-pazyma-plansete")

    page.get_by_role("button", name="Atsijungti").click()
    expect(page).to_have_url(re.compile(r"/prisijungti"))


def test_admin_sees_users_and_a_newcomer_sees_the_pledge_notice(page: Page) -> None:
    sign_in(page, ADMIN["login"])
    page.get_by_role("navigation").get_by_role("link", name="Naudotojai").click()
    expect(page.get_by_role("cell", name=NEWCOMER["name"], exact=True)).to_be_visible()
    state(page, "11-naudotojai")
    page.get_by_role("button", name="Atsijungti").click()

    sign_in(page, NEWCOMER["login"])
    expect(page.get_by_role("heading", name="Reikia konfidencialumo pasižadėjimo")).to_be_visible()
    expect(page.get_by_role("link", name="Dokumentai")).to_have_count(0)
    state(page, "12-be-pasizadejimo")


def test_archivist_runs_a_fixity_check(page: Page) -> None:
    sign_in(page, ARCHIVIST["login"])
    page.get_by_role("navigation").get_by_role("link", name="Archyvas").click()
    page.get_by_role("button", name="Paleisti vientisumo patikrą").click()
    expect(page.get_by_text("Problemų nerasta: visi failai sutampa su įrašais.")).to_be_visible()
    page.get_by_role("link", name="Tikrinti audito grandinę").click()
    expect(page.get_by_text(re.compile("Audito žurnalo grandinė vientisa"))).to_be_visible()
    state(page, "13-archyvas")
    page.get_by_role("link", name="Saugojimo taisyklės").click()
    expect(page.get_by_role("heading", name="Saugojimo terminų taisyklės")).to_be_visible()
    state(page, "18-saugojimo-taisykles")
    page.goto("/archyvas")
    page.get_by_role("link", name="Naikinimas").click()
    expect(page.get_by_role("heading", name="Naikintinos bylos")).to_be_visible()
    state(page, "19-naikinimas")
    page.get_by_role("navigation").get_by_role("link", name="Planas").click()
    expect(page.get_by_role("heading", name=re.compile("Dokumentacijos planas"))).to_be_visible()
    state(page, "20-planas")


def test_class_teacher_uploads_a_summary_with_an_error_fixes_it_and_issues_it(
    page: Page,
) -> None:
    sign_in(page, TEACHER["login"])
    page.get_by_role("link", name="Išduoti", exact=True).click()
    page.get_by_role("link", name="Klasės mokymosi pasiekimų suvestinė").click()
    with page.expect_download() as blank:
        page.get_by_role("link", name="Atsisiųsti tuščią šabloną").click()
    assert blank.value.suggested_filename == "suvestine.xlsx"
    state(page, "14-suvestine-ikelti")

    page.get_by_label(re.compile("Užpildytas suvestinės failas")).set_input_files(
        files=_csv(summary_csv(bad=True))
    )
    page.get_by_role("button", name="Tikrinti ir peržiūrėti").click()
    expect(page.get_by_text("Faile „5a.csv“ rasta klaidų: 2")).to_be_visible()
    state(page, "15-suvestine-klaidos")

    page.goto("/isduoti/achievement-summary")
    page.get_by_label(re.compile("Užpildytas suvestinės failas")).set_input_files(
        files=_csv(summary_csv())
    )
    page.get_by_role("button", name="Tikrinti ir peržiūrėti").click()
    expect(page.get_by_text(re.compile("Peržiūra: 5a klasė"))).to_be_visible()
    state(page, "16-suvestine-perziura")
    page.get_by_role("button", name="Išduoti ir įregistruoti suvestinę").click()
    expect(page.get_by_text(re.compile("Dokumentas išduotas ir įregistruotas"))).to_be_visible()
    page.wait_for_timeout(4000)
    state(page, "17-suvestine-dokumentas")


def test_deputy_registers_a_change_act_linked_to_a_summary(page: Page) -> None:
    sign_in(page, DEPUTY["login"])
    page.goto("/isduoti/achievement-summary")
    page.get_by_label(re.compile("Užpildytas suvestinės failas")).set_input_files(
        files=_csv(summary_csv())
    )
    page.get_by_role("button", name="Tikrinti ir peržiūrėti").click()
    page.get_by_role("button", name="Išduoti ir įregistruoti suvestinę").click()
    expect(page.get_by_text(re.compile("Dokumentas išduotas ir įregistruotas"))).to_be_visible()
    summary_url = page.url.split("?")[0]
    summary_id = summary_url.rsplit("/", 1)[1]

    page.get_by_role("link", name="Išduoti", exact=True).click()
    page.get_by_role("link", name="Aktas apie duomenų keitimą").click()
    act = example("change-act")
    page.get_by_role("textbox", name="Vardas", exact=True).fill("Ema")
    page.get_by_role("textbox", name="Pavardė", exact=True).fill("Čepaitė")
    page.get_by_role("textbox", name="Klasė", exact=True).fill("5a")
    page.get_by_role("textbox", name="Dalykas", exact=True).fill("Matematika")
    page.get_by_role("textbox", name="Laikotarpis", exact=True).fill("II pusmetis")
    for side, values in (("wrong", act["wrong"]), ("correct", act["correct"])):
        page.locator(f'[name="{side}.mark"]').fill(str(values["mark"]))
        page.locator(f'[name="{side}.missed_lessons"]').fill(str(values["missed_lessons"]))
        page.locator(f'[name="{side}.excused_lessons"]').fill(str(values["excused_lessons"]))
    page.get_by_label("Taisė (vardas, pavardė)").fill(act["corrected_by"]["name"])
    page.get_by_label("Taisiusio pareigos").fill(act["corrected_by"]["position"])
    page.get_by_label("E. dienyno administratorius").fill(act["administrator"]["name"])
    page.get_by_label("Keitimo data").fill(act["changed_on"])
    page.get_by_role("textbox", name="Priežastis", exact=True).fill(act["reason"])
    page.get_by_label("Taisoma suvestinė (dokumento ID)").fill(summary_id)
    state(page, "21-keitimo-aktas")
    page.get_by_role("button", name="Įregistruoti aktą").click()
    expect(page.get_by_text(re.compile("Dokumentas išduotas ir įregistruotas"))).to_be_visible()
    act_number = page.locator("h1 .muted").inner_text().removeprefix("Nr. ").strip()

    page.goto(summary_url)
    expect(page.get_by_role("link", name=act_number)).to_be_visible()
    page.wait_for_timeout(3000)
    state(page, "22-suvestine-su-aktu")


def test_archivist_imports_rules_edits_one_and_transfers_the_journal(page: Page) -> None:
    sign_in(page, ARCHIVIST["login"])
    page.goto("/archyvas/taisykles")
    table = (
        "id,index,item,title,term,source\n"
        "v1511-progress-report,V-1511,6.9,Ataskaitos,3 m.,V-1511\n"
        "v1511-broken,V-1,1,X,3 m.,s\n"
        "v1511-other,V-1511,1,Y,kažkada,s\n"
    ).encode()
    page.get_by_label("Lentelės failas").set_input_files(
        files={"name": "lentele.csv", "mimeType": "text/csv", "buffer": table}
    )
    page.get_by_role("button", name="Importuoti").click()
    expect(page.get_by_text(re.compile("3 eilutė"))).to_be_visible()
    expect(page.get_by_text(re.compile("4 eilutė"))).to_be_visible()
    page.locator("#importas").scroll_into_view_if_needed()
    state(page, "23-taisykles-importo-klaidos")

    page.locator('a[href="/archyvas/taisykles/v1511-progress-report"]').click()
    page.get_by_label("Metų skaičius").fill("-3")
    page.get_by_role("button", name="Išsaugoti taisyklę").click()
    expect(page.locator(".field.has-error")).to_be_visible()
    state(page, "24-taisykle-keisti")

    page.goto("/archyvas")
    page.get_by_role("link", name="Dienyno perkėlimas").click()
    page.get_by_label(re.compile("Dienyno failas")).set_input_files(
        files={"name": "tamo-2025-2026.zip", "mimeType": "application/zip", "buffer": b"PK" * 5000}
    )
    page.get_by_label("Mokslo metai").fill("2025-2027")
    page.get_by_role("button", name="Įkelti ir įregistruoti").click()
    expect(page.locator("#j-school_year-err")).to_contain_text("Laukiama, pvz., „2025-2026“")
    expect(page.locator("#klaidos")).to_be_focused()
    state(page, "25-dienynas")
    page.get_by_label("Mokslo metai").fill("2025-2026")
    page.get_by_role("button", name="Įkelti ir įregistruoti").click()
    expect(page).to_have_url(re.compile(r"/dokumentai/"), timeout=60_000)
    expect(page.get_by_role("heading", name=re.compile("DP-1"))).to_be_visible()

    page.goto("/planas")
    page.locator("#case-index").fill("1.x")
    page.locator("#case-title").fill("Bandomoji byla")
    page.locator("#case-retention_rule").select_option("v1511-safety-briefing")
    page.get_by_role("button", name="Pridėti bylą").click()
    expect(page.locator("#case-index-err")).to_contain_text("Netinkamas bylos indeksas")
    expect(page.locator("#case-title")).to_have_value("Bandomoji byla")
    page.locator("#nauja-byla").scroll_into_view_if_needed()
    state(page, "26-planas-redaguoti", full=False)


def test_admin_adds_a_register_and_the_office_registers_a_pledge(page: Page) -> None:
    sign_in(page, ADMIN["login"])
    page.goto("/registrai")
    page.get_by_label(re.compile("Kodas")).fill("su")
    page.get_by_label("Pavadinimas").fill("Sutarčių registras")
    page.get_by_label(re.compile("Bylos indeksas")).fill("1.12")
    page.get_by_role("button", name="Pridėti registrą").click()
    expect(page.locator("#reg-code-err")).to_contain_text("Netinkamas registro kodas")
    page.locator("#naujas-registras").scroll_into_view_if_needed()
    state(page, "27-registrai-naujas", full=False)
    page.get_by_label(re.compile("Kodas")).fill("SU")
    page.get_by_role("button", name="Pridėti registrą").click()
    expect(page.get_by_text("Registras pridėtas.")).to_be_visible()
    sign_out(page)

    sign_in(page, DEPUTY["login"])
    page.get_by_role("navigation").get_by_role("link", name="Pranešimai").click()
    expect(page.get_by_role("heading", name="Pranešimai apie pakeitimo aktus")).to_be_visible()
    state(page, "28-pranesimai")
    buttons = page.get_by_role("button", name="Pažymėti pristatytu")
    if buttons.count():
        before = buttons.count()
        buttons.first.click()
        expect(page.get_by_text("Pranešimas pažymėtas kaip pristatytas.")).to_be_visible()
        assert page.get_by_role("button", name="Pažymėti pristatytu").count() == before - 1
    sign_out(page)

    sign_in(page, MANAGER["login"])
    page.get_by_role("navigation").get_by_role("link", name="Naudotojai").click()
    state(page, "29-naudotojai-rastine")
    page.get_by_role("row", name=re.compile(NEWCOMER["name"])).get_by_role(
        "link", name="Registruoti"
    ).click()
    expect(page.get_by_label("Vardas ir pavardė")).to_have_value(NEWCOMER["name"])
    state(page, "30-pasizadejimas-uzpildytas")
    page.get_by_role("button", name="Įregistruoti pasižadėjimą").click()
    expect(page.get_by_text(re.compile("Dokumentas išduotas ir įregistruotas"))).to_be_visible()
    sign_out(page)
    sign_in(page, NEWCOMER["login"])
    expect(page.get_by_role("navigation").get_by_role("link", name="Dokumentai")).to_be_visible()


def test_archivist_proposes_a_disposal_the_director_approves(page: Page, server: Server) -> None:
    # Expired records cannot be made by waiting: an old closed case is written into the
    # server's database first (its files are never read by proposing or approving).
    server.seed_expired_case(year=1990, index="3.3")
    sign_in(page, ARCHIVIST["login"])
    page.goto("/archyvas/naikinimas")
    page.get_by_label("Naikinti bylą 3.3").check()
    page.get_by_role("button", name="Parengti naikinimo aktą").click()
    expect(page.get_by_text("laukia direktoriaus patvirtinimo")).to_be_visible()
    expect(page.get_by_role("button", name="Tvirtinti naikinimą")).to_have_count(0)
    disposal_url = page.url
    state(page, "31-naikinimo-siulymas")
    sign_out(page)

    sign_in(page, DIRECTOR["login"])
    page.goto(disposal_url)
    page.get_by_role("button", name="Tvirtinti naikinimą").click()
    expect(page.get_by_text("patvirtintas, laukia vykdymo")).to_be_visible()
    state(page, "32-naikinimas-patvirtintas")
    sign_out(page)

    # The archivist carries it out: the files go, the destruction act stays.
    sign_in(page, ARCHIVIST["login"])
    page.goto(disposal_url)
    page.get_by_role("button", name="Vykdyti naikinimą").click()
    expect(page.get_by_text("Būsena: įvykdytas.", exact=True)).to_be_visible()
    state(page, "33-naikinimas-ivykdytas")


def test_deputy_sets_the_school_year_calendar_and_home_counts_the_summaries(page: Page) -> None:
    today = today_vilnius()
    school_year = school_year_of(today)
    start, end = school_year_bounds(school_year)
    # A trimester that ended last week (or on the year's first day, early in September).
    recent = max(start, today - dt.timedelta(days=7))
    sign_in(page, DEPUTY["login"])
    expect(page.get_by_text("Mokslo metų kalendorius nenustatytas")).to_be_visible()
    page.get_by_role("link", name="Nustatyti kalendorių").click()
    expect(page.get_by_text("kalendorius dar neišsaugotas")).to_be_visible()
    page.get_by_role("textbox", name="Klasės", exact=True).fill("1a\n1b\n5a\n5b\n8a")
    trimesters = [
        ("I trimestras", recent),
        ("II trimestras", max(recent, dt.date(end.year, 3, 5))),
        ("III trimestras", dt.date(end.year, 6, 18)),
    ]
    for i, (name, ends_on) in enumerate(trimesters):
        page.locator(f'[name="periods.{i}.name"]').fill(name)
        page.locator(f'[name="periods.{i}.ends_on"]').fill(ends_on.isoformat())
        page.locator(f'[name="periods.{i}.grades_from"]').fill("1")
        page.locator(f'[name="periods.{i}.grades_to"]').fill("12")
    page.get_by_role("button", name="Išsaugoti kalendorių").click()
    expect(page.get_by_text("Kalendorius išsaugotas.")).to_be_visible()
    expect(page.get_by_text("III trimestras", exact=True)).to_be_visible()
    state(page, "34-kalendorius")

    page.get_by_role("link", name="Pradžia").click()
    expect(page.get_by_text("Mokslo metų kalendorius nenustatytas")).to_have_count(0)
    expect(page.get_by_role("heading", name="Klasių suvestinės")).to_be_visible()
    if recent < today:
        expect(page.get_by_text("5b · I trimestras")).to_be_visible()
    state(page, "35-pradzia-terminai")
