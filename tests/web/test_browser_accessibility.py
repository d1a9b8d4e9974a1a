"""WCAG 2.1 AA on every page state (issue 16), in Debian's chromium against the real server:
each role's pages, each form empty and after an error, each list with data. Every state passes
axe-core's WCAG 2.0/2.1 A/AA rules, the house rules of templates/ui.html and the non-text
contrast check; every state reflows at 320 px and at 200 % zoom without scrolling the page
sideways; after a failed submit focus is on the error summary and the title says "Klaida:". A
keyboard-only person issues a leaving certificate and uploads a class summary; a browser in
another locale still shows and takes dates as yyyy-mm-dd."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from service.timeutil import today_vilnius
from tests.conftest import example
from tests.web import browser_kit as kit
from tests.web.serve import Server
from tests.web.summary_files import summary_csv

pytestmark = pytest.mark.browser

YEAR = today_vilnius().year


@dataclass(frozen=True)
class School:
    """What the lists show: a certificate (with a hold on it) and a fixity run; an act of
    destruction waiting for the director, and one carried out (its destroyed files listed)."""

    certificate_id: str
    proposed_disposal: int
    executed_disposal: int


@pytest.fixture(scope="module")
def school(server: Server) -> School:
    def api(login: str, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = {"Authorization": f"Bearer {server.tokens[login]}"}
        return httpx.request(method, f"{server.url}{path}", headers=headers, timeout=120, **kwargs)  # type: ignore[arg-type]

    issued = api(
        kit.MANAGER["login"],
        "POST",
        "/api/documents/leaving-certificate",
        json=example("leaving-certificate"),
    )
    assert issued.status_code == 201, issued.text
    doc_id = str(issued.json()["id"])
    run = api(kit.ARCHIVIST["login"], "POST", "/api/fixity/runs")
    assert run.status_code in (200, 201), run.text
    hold = api(
        kit.ARCHIVIST["login"],
        "POST",
        "/api/holds",
        json={"document_id": doc_id, "reason": "Skundas dėl pažymos"},
    )
    assert hold.status_code in (200, 201), hold.text
    # A long-term case closed: the year page lists its inventory with the agreement form.
    closed = api(
        kit.ARCHIVIST["login"], "POST", "/api/cases/close", json={"year": YEAR, "indexes": ["1.2"]}
    )
    assert closed.status_code == 200, closed.text
    # Expired records cannot be made by waiting: old closed cases are written into the server's
    # database, then destruction is proposed as the archivist would (and one carried out).
    # Years no other test seeds: the server is the session's, shared with tests/web/test_browser.py
    # (which seeds 1990).
    disposals: list[int] = []
    for year in (1986, 1987):
        server.seed_expired_case(year=year, index="3.3")
        proposed = api(
            kit.ARCHIVIST["login"],
            "POST",
            "/api/disposals",
            json={"year": year, "case_indexes": ["3.3"]},
        )
        assert proposed.status_code == 201, proposed.text
        disposals.append(int(proposed.json()["id"]))
    waiting, done = disposals
    approved = api(kit.DIRECTOR["login"], "POST", f"/api/disposals/{done}/approve")
    assert approved.status_code == 200, approved.text
    executed = api(kit.ARCHIVIST["login"], "POST", f"/api/disposals/{done}/execute")
    assert executed.status_code == 200, executed.text
    return School(certificate_id=doc_id, proposed_disposal=waiting, executed_disposal=done)


def _csv(content: bytes) -> FilePayload:
    return {"name": "5a.csv", "mimeType": "text/csv", "buffer": content}


@dataclass(frozen=True)
class State:
    """A page state: open ``url``; with ``submit``, fill what ``fill`` says and press the button,
    which must bring the form back with its errors."""

    name: str
    url: str
    submit: str = ""
    fill: tuple[tuple[str, str], ...] = ()
    upload: FilePayload | None = None
    shows: str = ""  # a text the state shows (that the right state was reached)

    @property
    def failed(self) -> bool:
        return bool(self.submit) and not self.shows


def _states(school: School) -> dict[str, list[State]]:
    """Each person's page states, by login."""
    doc_id = school.certificate_id
    waiting = f"/archyvas/naikinimas/{school.proposed_disposal}"
    done = f"/archyvas/naikinimas/{school.executed_disposal}"
    issue = "/isduoti/"
    return {
        kit.MANAGER["login"]: [
            State("pradžia", "/"),
            State("dokumentai", "/dokumentai", shows="Rodoma:"),
            State("dokumentas", f"/dokumentai/{doc_id}"),
            State("išduoti", "/isduoti"),
            State("pažyma", issue + "leaving-certificate"),
            State("pažyma, klaidos", issue + "leaving-certificate", "Išduoti ir įregistruoti"),
            State("pasižadėjimas", issue + "confidentiality-pledge"),
            State(
                "pasižadėjimas, klaidos",
                issue + "confidentiality-pledge",
                "Įregistruoti pasižadėjimą",
            ),
            State("nauja versija", f"/dokumentai/{doc_id}/nauja-versija"),
            State(
                "nauja versija, klaidos",
                f"/dokumentai/{doc_id}/nauja-versija",
                "Išduoti naują versiją",
            ),
            State("registrai", "/registrai"),
            State("registras", f"/registrai/PZ?metai={YEAR}", shows="Registracijos Nr."),
            State("naudotojai", "/admin/naudotojai"),
            State("prieiga uždrausta", "/admin/mokykla"),
        ],
        kit.ADMIN["login"]: [
            State("pradžia", "/"),
            State("mokykla", "/admin/mokykla"),
            State("mokykla, klaidos", "/admin/mokykla", "Išsaugoti", (("#f-code", "123"),)),
            State("registrai, klaidos", "/registrai", "Pridėti registrą"),
            State("registras keisti", "/registrai/PZ/keisti"),
            State(
                "registras keisti, klaidos",
                "/registrai/PZ/keisti",
                "Išsaugoti",
                (("#reg-title", ""),),
            ),
            State("naudotojai", "/admin/naudotojai"),
            State("naudotojai, klaidos", "/admin/naudotojai", "Sukurti naudotoją"),
            State("paskyra", "/paskyra"),
            State("paskyra, klaidos", "/paskyra", "Keisti slaptažodį"),
            State("kalendorius", "/admin/kalendorius"),
            State(
                "kalendorius, klaidos",
                "/admin/kalendorius",
                "Išsaugoti kalendorių",
                (("#f-journal_transfer_due", "2026-13-45"),),
            ),
            State("pranešimai", "/pranesimai"),
            State("dienynas", "/archyvas/dienynas"),
            State("dienynas, klaidos", "/archyvas/dienynas", "Įkelti ir įregistruoti"),
        ],
        kit.TEACHER["login"]: [
            State("pradžia", "/"),
            State("suvestinė", issue + "achievement-summary"),
            State("suvestinė, be failo", issue + "achievement-summary", "Tikrinti ir peržiūrėti"),
            State(
                "suvestinė, langelių klaidos",
                issue + "achievement-summary",
                "Tikrinti ir peržiūrėti",
                upload=_csv(summary_csv(bad=True)),
            ),
            State(
                "suvestinė, peržiūra",
                issue + "achievement-summary",
                "Tikrinti ir peržiūrėti",
                upload=_csv(summary_csv()),
                shows="Peržiūra:",
            ),
            State("instruktažas", issue + "safety-briefing"),
            State("instruktažas, klaidos", issue + "safety-briefing", "Išduoti ir įregistruoti"),
            State("ataskaita", issue + "progress-report"),
            State(
                "ataskaita, klaidos",
                issue + "progress-report",
                "Išduoti ir įregistruoti",
                (("#f-month", "spalis"),),
            ),
        ],
        kit.DEPUTY["login"]: [
            State("pradžia", "/"),
            State("keitimo aktas", issue + "change-act"),
            State("keitimo aktas, klaidos", issue + "change-act", "Įregistruoti aktą"),
            State("planas", "/planas"),
            State("kalendorius", "/admin/kalendorius"),
            State("pranešimai", "/pranesimai?visi=1"),
        ],
        kit.ARCHIVIST["login"]: [
            State("pradžia", "/"),
            State("archyvas", "/archyvas?grandine=1"),
            State("taisyklės", "/archyvas/taisykles"),
            State("taisyklės, importo klaida", "/archyvas/taisykles", "Importuoti"),
            State("taisyklė", "/archyvas/taisykles/v1511-progress-report"),
            State(
                "taisyklė, klaidos",
                "/archyvas/taisykles/v1511-progress-report",
                "Išsaugoti taisyklę",
                (("#r-years", "-3"), ("#r-title", "")),
            ),
            State("naikinimas", "/archyvas/naikinimas", shows="Naikinimo aktai"),
            State("naikinimo aktas", waiting, shows="laukia direktoriaus patvirtinimo"),
            State("naikinimas įvykdytas", done, shows="Sunaikinta"),
            State("atsarginės kopijos", "/archyvas/atsargines-kopijos"),
            State("sulaikymai", "/archyvas/sulaikymai", shows="Skundas dėl pažymos"),
            State("metų bylos", f"/archyvas/metai/{YEAR}", shows="Bylų apyrašai"),
            State(
                "metų bylos, suderinimo klaida",
                f"/archyvas/metai/{YEAR}",
                "Įrašyti",
                (("#f-protocol_date-1", "2026-13-45"), ("#f-protocol_number-1", "DEK-1")),
            ),
            State("planas", "/planas"),
            State("planas, bylos klaidos", "/planas", "Pridėti bylą"),
            State("planas, srities klaida", "/planas", "Išsaugoti sritį"),
            State("byla", f"/planas/{YEAR}/byla?indeksas=1.1"),
            State(
                "byla, klaidos",
                f"/planas/{YEAR}/byla?indeksas=1.1",
                "Išsaugoti bylą",
                (("#case-title", ""),),
            ),
        ],
        kit.DIRECTOR["login"]: [
            State("pradžia", "/"),
            State("planas", "/planas"),
            State("naikinimas", "/archyvas/naikinimas"),
            State("naikinimo aktas", waiting, shows="Tvirtinti naikinimą"),
        ],
        kit.NEWCOMER["login"]: [State("be pasižadėjimo", "/")],
    }


def _reach(page: Page, state: State) -> None:
    page.goto(state.url)
    if not state.submit:
        if state.shows:
            expect(page.get_by_text(state.shows).first).to_be_visible()
        return
    for selector, value in state.fill:
        page.locator(selector).fill(value)
    if state.upload is not None:
        page.locator("input[type=file]").first.set_input_files(files=state.upload)
    page.get_by_role("button", name=state.submit, exact=True).click()
    if state.shows:
        expect(page.get_by_text(state.shows).first).to_be_visible()
        return
    summary = page.locator("#klaidos")
    expect(summary).to_be_visible()
    # After a failed submit the page opens on its errors (WCAG 3.3.1): focus on the summary,
    # which names every problem, and the title says so.
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Klaida: "))


def test_every_page_state_meets_wcag_21_aa_and_reflows(
    browser: Browser, server: Server, school: School
) -> None:
    """Each state: axe-core's WCAG 2.1 A/AA rules, the house rules, non-text contrast at
    1280 px; then the same state at 320 px and at 640 px (a 1280 px screen at 200 % zoom: the
    layout sees 640 CSS px) must not scroll sideways."""
    context = browser.new_context(base_url=server.url, viewport=kit.DESKTOP, locale="lt-LT")

    def check(page: Page, name: str) -> None:
        kit.assert_accessible(page, name)
        kit.assert_house_rules(page, name)
        kit.assert_non_text_contrast(page, name)
        for size in (kit.NARROW, kit.ZOOM_200):
            page.set_viewport_size(size)
            kit.assert_reflows(page, name)
        page.set_viewport_size(kit.DESKTOP)

    try:
        page = context.new_page()
        page.goto("/prisijungti")
        check(page, "prisijungimas")
        page.get_by_label("Prisijungimo vardas").fill(kit.MANAGER["login"])
        page.get_by_label("Slaptažodis").fill("neteisingas")
        page.get_by_role("button", name="Prisijungti").click()
        expect(page.locator("#klaidos")).to_be_focused()
        check(page, "prisijungimas, klaida")
        for login, states in _states(school).items():
            kit.sign_in(page, login)
            for state in states:
                _reach(page, state)
                check(page, f"{login}: {state.name}")
            kit.sign_out(page)
    finally:
        context.close()


# -- keyboard only ------------------------------------------------------------------------------


def _focused(page: Page) -> str:
    """The focused element as a person hears it: its accessible name or its id."""
    name: str = page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el) return '';
          const label = el.labels && el.labels[0] ? el.labels[0].innerText : '';
          return (el.getAttribute('aria-label') || label || el.innerText || el.id || '').trim();
        }"""
    )
    return name


def _tab_to(page: Page, name: str | re.Pattern[str], *, limit: int = 80) -> None:
    """Press Tab until the focus is on ``name`` (as a keyboard user would), never clicking."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = _focused(page)
        if name.search(now) if isinstance(name, re.Pattern) else now.startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r} on {page.url}")


def _type_into(page: Page, label: str | re.Pattern[str], text: str) -> None:
    _tab_to(page, label)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _wait_for_form(page: Page, title: str) -> None:
    """Wait for the form a tile on /isduoti leads to. Each tile names its kind in a heading of
    its own (h2), so a heading of that name is visible before the form has even loaded: Tab
    would then move through a page about to go away. The form's own h1 and its finished load
    say it is the form that now takes the keys."""
    expect(page.get_by_role("heading", level=1, name=title, exact=True)).to_be_visible()
    page.wait_for_load_state("load")


def test_keyboard_only_certificate_and_summary_upload(browser: Browser, server: Server) -> None:
    context = browser.new_context(base_url=server.url, viewport=kit.DESKTOP, locale="lt-LT")
    page = context.new_page()
    try:
        page.goto("/prisijungti")
        # The sign-in form opens with the focus in its first field (autofocus lands just after
        # the load event: typing before it would lose the first keys).
        expect(page.get_by_label("Prisijungimo vardas")).to_be_focused()
        page.keyboard.type(kit.MANAGER["login"])
        page.keyboard.press("Tab")
        page.keyboard.type(kit.PASSWORD)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=re.compile("Laba diena"))).to_be_visible()

        # The first Tab stop skips the menu.
        page.keyboard.press("Tab")
        assert _focused(page) == "Pereiti prie turinio"
        _tab_to(page, "Išduoti")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Išduoti dokumentą")).to_be_visible()
        _tab_to(page, "Mokinio pasiekimų pažyma")
        page.keyboard.press("Enter")
        _wait_for_form(page, "Mokinio pasiekimų pažyma")

        cert = example("leaving-certificate")
        _type_into(page, "Vardas", cert["student"]["first_name"])
        # Enter in a field submits the form: it comes back on its error summary ...
        page.keyboard.press("Enter")
        summary = page.locator("#klaidos")
        expect(summary).to_be_focused()
        expect(page).to_have_title(re.compile("^Klaida: "))
        # ... whose first line leads straight to the first field to fix.
        page.keyboard.press("Tab")
        assert _focused(page).startswith("Pavardė:"), _focused(page)
        page.keyboard.press("Enter")
        expect(page.locator("#f-student-last_name")).to_be_focused()
        page.keyboard.type(cert["student"]["last_name"])
        _type_into(page, "Klasė", cert["class_name"])
        _type_into(page, "Priimtas (-a) į mokyklą", cert["enrolled_on"])
        _type_into(page, "Išvyksta", cert["left_on"])
        _type_into(page, "Įsakymo Nr.", cert["order"]["number"])
        _type_into(page, "Įsakymo data", cert["order"]["date"])
        _type_into(page, "Išvykimo priežastis", cert["reason"])
        for i, result in enumerate(cert["results"]):
            _type_into(page, f"Dalykas, {i + 1} eilutė", result["subject"])
            _type_into(page, f"Laikotarpis, {i + 1} eilutė", result["period"])
            _type_into(page, f"Įvertinimas, {i + 1} eilutė", str(result["mark"]))
        _type_into(page, "Praleista pamokų", str(cert["missed_lessons"]))
        _type_into(page, "Iš jų pateisinta", str(cert["excused_lessons"]))
        _tab_to(page, "Išduoti ir įregistruoti")
        page.keyboard.press("Enter")
        expect(page.get_by_text(re.compile("Dokumentas išduotas ir įregistruotas"))).to_be_visible()
        kit.sign_out(page)

        page.goto("/prisijungti")
        expect(page.get_by_label("Prisijungimo vardas")).to_be_focused()
        page.keyboard.type(kit.TEACHER["login"])
        page.keyboard.press("Tab")
        page.keyboard.type(kit.PASSWORD)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=re.compile("Laba diena"))).to_be_visible()
        _tab_to(page, "Išduoti")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Išduoti dokumentą")).to_be_visible()
        _tab_to(page, "Klasės mokymosi pasiekimų suvestinė")
        page.keyboard.press("Enter")
        _wait_for_form(page, "Klasės mokymosi pasiekimų suvestinė")
        _tab_to(page, re.compile("^Užpildytas suvestinės failas"))
        # Space goes to whatever has the focus: it must be the file input itself (not another
        # control named alike), or no file picker opens and the test says nothing useful.
        file_input = page.get_by_label(re.compile("^Užpildytas suvestinės failas"))
        expect(file_input).to_be_focused()
        expect(file_input).to_have_attribute("type", "file")
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files(files=_csv(summary_csv()))
        _tab_to(page, "Tikrinti ir peržiūrėti")
        page.keyboard.press("Enter")
        expect(page.get_by_text(re.compile("Peržiūra: 5a klasė"))).to_be_visible()
        # The wide preview scrolls by keyboard: its region takes focus on the way.
        _tab_to(page, "Suvestinės peržiūra", limit=20)
        _tab_to(page, "Išduoti ir įregistruoti suvestinę")
        page.keyboard.press("Enter")
        expect(page.get_by_text(re.compile("Dokumentas išduotas ir įregistruotas"))).to_be_visible()
    finally:
        context.close()


def test_dates_are_yyyy_mm_dd_whatever_the_browsers_locale(
    browser: Browser, server: Server
) -> None:
    """An American-English browser: a date picker would show mm/dd/yyyy; the form shows and
    takes the Lithuanian form, and reads the other usual ways of typing it."""
    context = browser.new_context(base_url=server.url, viewport=kit.DESKTOP, locale="en-US")
    page = context.new_page()
    try:
        kit.sign_in(page, kit.MANAGER["login"])
        page.goto("/isduoti/confidentiality-pledge")
        date = page.get_by_label("Pasirašymo data")
        expect(date).to_have_attribute("type", "text")
        expect(date).to_have_attribute("placeholder", "mmmm-mm-dd")
        expect(date).to_have_accessible_description(re.compile("mmmm-mm-dd"))
        page.get_by_label("Vardas ir pavardė").fill("Petras Datauskas")
        page.get_by_label("Pareigos").fill("Mokytojas")
        today = today_vilnius()
        date.fill(f"{today.year}.{today.month}.{today.day}")
        page.get_by_label("Pasirašymo data").press("Enter")
        expect(page.get_by_text(re.compile("Dokumentas išduotas ir įregistruotas"))).to_be_visible()
        expect(page.get_by_text(today.isoformat()).first).to_be_visible()
        page.goto("/isduoti/confidentiality-pledge")
        page.get_by_label("Pasirašymo data").fill("09/01/2026")
        page.get_by_role("button", name="Įregistruoti pasižadėjimą").click()
        expect(page.locator("#f-date-err")).to_have_text(re.compile("MMMM-MM-DD"))
    finally:
        context.close()
