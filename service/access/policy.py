"""The one policy table: for every API route and every page, who may call it.

Keyed by (method, path template) exactly as the app routes them. ``service/app.py`` refuses to
start when a route has no entry, and every route consults its entry before its handler runs
(``service/access/gate.py``, called by the API's and the pages' dependency). The matrix test
(tests/security/test_policy_matrix.py) calls every route as every role, as a person without a
pledge and anonymously, and checks the answers against this table.

Defaults are the safe ones: a signed-in person is required, and so is a registered
confidentiality pledge (Aprašo 9 p.) unless an entry says the route shows no personal data.
Routes whose roles depend on a document's kind (``kind=``) take them from that kind's issue or
read roles; ``scoped`` adds class scoping (service/school_year/classes.py) on the target document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from service.users.models import Role

OM, DEP, CT = Role.office_manager, Role.deputy, Role.class_teacher
ARC, DIR, ADM = Role.archivist, Role.director, Role.admin

KindRoles = Literal["issue", "read"]


@dataclass(frozen=True, slots=True)
class Rule:
    # None: anyone signed in (what they then see may still be filtered by kind and class).
    roles: frozenset[Role] | None = None
    pledge: bool = True
    # No sign-in at all (the sign-in form, health) or a check of the route's own (metrics).
    public: bool = False
    # The roles come from the document kind named by ``{kind}`` or ``{document_id}``.
    kind: KindRoles | None = None
    # Class scoping on the document named by ``{document_id}``.
    scoped: bool = False
    # A person without a pledge may still POST a document of this kind (their own pledge).
    unpledged_kind: str | None = None
    # Public as far as the table goes, with a check of the route's own (see the entry).
    self_checked: bool = False
    # What the refusal names ("Veiksmui „…“ reikia ..."), in the infinitive.
    action: str = ""
    # A page answered to a script (an upload): refusals come back as the API's JSON.
    answers_json: bool = False


def _r(*roles: Role, pledge: bool = True, action: str = "", answers_json: bool = False) -> Rule:
    return Rule(roles=frozenset(roles), pledge=pledge, action=action, answers_json=answers_json)


ANYONE = Rule()
ANYONE_NO_PLEDGE = Rule(pledge=False)
PUBLIC = Rule(public=True, pledge=False)
ISSUE = Rule(kind="issue")
ISSUE_SCOPED = Rule(kind="issue", scoped=True)
READ_SCOPED = Rule(kind="read", scoped=True)

REGISTER_READERS = (OM, DEP, ARC, DIR, ADM)
PLAN_READERS = (OM, DEP, ARC, DIR, ADM)
PLAN_EDITORS = (ARC, DIR)
OVERSIGHT = (ARC, DIR)
AUDITORS = (ARC, DIR, ADM)
KEEPERS = (ARC, ADM)
TRANSFERRERS = (ADM, DEP, ARC)
NOTIFIED = (ADM, DEP)
CALENDAR_EDITORS = (DEP, DIR, ADM)
SUMMARY_ISSUERS = (CT, DEP)

TABLE: dict[tuple[str, str], Rule] = {
    # -- documents (pupils' data: the pledge everywhere) --------------------------------------
    ("POST", "/api/documents/{kind}"): Rule(kind="issue", unpledged_kind="confidentiality-pledge"),
    ("POST", "/api/documents/{document_id}/versions"): ISSUE_SCOPED,
    ("GET", "/api/documents/{document_id}"): READ_SCOPED,
    ("GET", "/api/documents"): ANYONE,  # filtered to the kinds and classes one may read
    ("GET", "/api/documents/{document_id}/file"): READ_SCOPED,
    ("POST", "/api/documents/{kind}/batch"): ISSUE,
    ("GET", "/api/documents/achievement-summary/template.xlsx"): _r(
        *SUMMARY_ISSUERS, action="išduoti: Mokinių mokymosi pasiekimų apskaitos suvestinė"
    ),
    ("POST", "/api/documents/achievement-summary/upload"): _r(
        *SUMMARY_ISSUERS, action="išduoti: Mokinių mokymosi pasiekimų apskaitos suvestinė"
    ),
    ("GET", "/api/documents/{document_id}/change-acts"): READ_SCOPED,
    ("GET", "/api/notifications"): _r(*NOTIFIED, action="peržiūrėti pranešimus"),
    ("POST", "/api/notifications/{notification_id}/delivered"): _r(
        *NOTIFIED, action="žymėti pranešimus"
    ),
    # -- retention: the rules name no one; events, due lists and destroyed records do --------
    ("GET", "/api/retention/rules"): ANYONE_NO_PLEDGE,
    ("POST", "/api/retention/rules/import"): _r(
        ARC, pledge=False, action="importuoti saugojimo terminų lentelę"
    ),
    ("PUT", "/api/retention/rules/{rule_id}"): _r(
        ARC, pledge=False, action="keisti saugojimo taisyklę"
    ),
    ("PATCH", "/api/retention/rules/{rule_id}"): _r(
        ARC, pledge=False, action="keisti saugojimo taisyklę"
    ),
    ("GET", "/api/retention/rules/changes"): _r(
        *AUDITORS, pledge=False, action="peržiūrėti saugojimo taisyklių pakeitimus"
    ),
    ("POST", "/api/retention/events"): _r(ARC, OM, ADM, action="įrašyti saugojimo termino įvykį"),
    ("POST", "/api/retention/reevaluate"): _r(ARC, action="perskaičiuoti saugojimo terminus"),
    ("GET", "/api/retention/due"): _r(*OVERSIGHT, action="peržiūrėti naikintinas bylas"),
    ("GET", "/api/retention/destroyed"): _r(
        ARC, DIR, OM, action="peržiūrėti sunaikintų dokumentų aprašus"
    ),
    # -- holds (their reasons name pupils), disposals, fixity, audit, exports -----------------
    ("POST", "/api/holds"): _r(ARC, action="sulaikyti dokumentus"),
    ("GET", "/api/holds"): _r(*OVERSIGHT, action="peržiūrėti sulaikymus"),
    ("DELETE", "/api/holds/{hold_id}"): _r(ARC, action="panaikinti sulaikymą"),
    ("POST", "/api/disposals"): _r(ARC, action="teikti dokumentų naikinimo aktą"),
    ("GET", "/api/disposals/{disposal_id}"): _r(*OVERSIGHT, action="peržiūrėti naikinimo aktą"),
    ("POST", "/api/disposals/{disposal_id}/approve"): _r(
        DIR, action="tvirtinti dokumentų naikinimo aktą"
    ),
    ("POST", "/api/disposals/{disposal_id}/execute"): _r(
        ARC, action="naikinti dokumentus pagal aktą"
    ),
    ("POST", "/api/fixity/runs"): _r(ARC, action="tikrinti saugomų failų vientisumą"),
    ("GET", "/api/fixity/runs"): _r(*AUDITORS, action="peržiūrėti vientisumo patikras"),
    ("GET", "/api/audit/verify"): _r(*AUDITORS, action="tikrinti audito žurnalo grandinę"),
    ("POST", "/api/audit/anchors"): _r(ARC, ADM, action="įrašyti audito žurnalo inkarą"),
    ("GET", "/api/audit/anchors"): _r(*AUDITORS, action="peržiūrėti audito žurnalo inkarus"),
    ("POST", "/api/exports"): _r(ARC, action="eksportuoti metų bylas"),
    ("POST", "/api/journal-transfers"): _r(
        *TRANSFERRERS, action="perkelti dienyną į skaitmeninę laikmeną"
    ),
    ("GET", "/api/journal-transfers/{document_id}/file"): Rule(kind="read"),
    # -- registers: their entries carry documents' titles (pupils' names) --------------------
    ("GET", "/api/registers"): _r(*REGISTER_READERS, pledge=False, action="peržiūrėti registrus"),
    ("POST", "/api/registers"): _r(ADM, pledge=False, action="pridėti registrą"),
    ("PATCH", "/api/registers/{code}"): _r(ADM, pledge=False, action="keisti registrą"),
    ("GET", "/api/registers/{code}/entries"): _r(*REGISTER_READERS, action="peržiūrėti registrą"),
    ("GET", "/api/registers/{code}/entries.xlsx"): _r(
        *REGISTER_READERS, action="peržiūrėti registrą"
    ),
    ("GET", "/api/registers/{code}/entries.pdf"): _r(
        *REGISTER_READERS, action="peržiūrėti registrą"
    ),
    # -- the documentation plan and its cases (titles of files, no personal data) ------------
    ("GET", "/api/cases"): _r(*PLAN_READERS, pledge=False, action="peržiūrėti bylas"),
    ("POST", "/api/cases/close"): _r(*PLAN_EDITORS, pledge=False, action="uždaryti bylas"),
    ("GET", "/api/plans/{year}.xlsx"): _r(
        *PLAN_READERS, pledge=False, action="atsisiųsti dokumentacijos planą"
    ),
    ("GET", "/api/plans/{year}"): _r(
        *PLAN_READERS, pledge=False, action="peržiūrėti dokumentacijos planą"
    ),
    ("POST", "/api/plans/{year}/import"): _r(
        *PLAN_EDITORS, pledge=False, action="importuoti dokumentacijos planą"
    ),
    ("POST", "/api/plans/{year}/copy-to-next"): _r(
        *PLAN_EDITORS, pledge=False, action="parengti kitų metų dokumentacijos planą"
    ),
    ("POST", "/api/plans/{year}/approve"): _r(
        DIR, pledge=False, action="tvirtinti dokumentacijos planą"
    ),
    ("POST", "/api/plans/{year}/cases"): _r(
        *PLAN_EDITORS, pledge=False, action="keisti dokumentacijos planą"
    ),
    ("PATCH", "/api/plans/{year}/cases/{index}"): _r(
        *PLAN_EDITORS, pledge=False, action="keisti dokumentacijos planą"
    ),
    ("DELETE", "/api/plans/{year}/cases/{index}"): _r(
        *PLAN_EDITORS, pledge=False, action="keisti dokumentacijos planą"
    ),
    ("PUT", "/api/plans/{year}/areas/{index}"): _r(
        *PLAN_EDITORS, pledge=False, action="keisti dokumentacijos planą"
    ),
    # -- the books of record (service/books/) -------------------------------------------------
    ("GET", "/api/archive/years/{year}"): _r(*OVERSIGHT, action="peržiūrėti metų bylas"),
    ("GET", "/api/archive/years/{year}.xlsx"): _r(*OVERSIGHT, action="peržiūrėti metų bylas"),
    ("GET", "/api/cases/{year}/{index}/cover.pdf"): _r(
        ARC, DIR, OM, action="spausdinti bylos viršelį"
    ),
    ("POST", "/api/inventories/{document_id}/agreement"): _r(
        *OVERSIGHT, action="įrašyti ekspertų komisijos suderinimą"
    ),
    # -- the school year and the school ------------------------------------------------------
    ("GET", "/api/school-calendar/{school_year}"): ANYONE_NO_PLEDGE,
    ("PUT", "/api/school-calendar/{school_year}"): _r(
        *CALENDAR_EDITORS, pledge=False, action="nustatyti mokslo metų kalendorių"
    ),
    ("GET", "/api/duties"): ANYONE,
    ("GET", "/api/school"): ANYONE_NO_PLEDGE,
    ("PUT", "/api/school"): _r(ADM, pledge=False, action="keisti mokyklos duomenis"),
    # -- accounts, sessions and tokens -------------------------------------------------------
    ("GET", "/api/users"): _r(ADM, action="tvarkyti naudotojus"),
    ("PUT", "/api/users/{user_id}/roles"): _r(ADM, action="tvarkyti naudotojus"),
    ("POST", "/api/users/{user_id}/deactivate"): _r(ADM, action="tvarkyti naudotojus"),
    ("POST", "/api/users/{user_id}/reactivate"): _r(ADM, action="tvarkyti naudotojus"),
    ("POST", "/api/users/{user_id}/password"): _r(ADM, action="tvarkyti naudotojus"),
    ("GET", "/api/users/{user_id}/tokens"): _r(ADM, action="tvarkyti naudotojus"),
    ("DELETE", "/api/tokens/{token_id}"): _r(ADM, action="tvarkyti naudotojus"),
    # One's own account: no pledge needed to change one's password or end one's tokens.
    ("GET", "/api/me"): ANYONE_NO_PLEDGE,
    ("POST", "/api/me/password"): ANYONE_NO_PLEDGE,
    ("GET", "/api/me/tokens"): ANYONE_NO_PLEDGE,
    ("DELETE", "/api/me/tokens/{token_id}"): ANYONE_NO_PLEDGE,
    # -- operations --------------------------------------------------------------------------
    ("GET", "/api/health"): PUBLIC,  # details only to the machine itself or an admin token
    # Its own check: the machine itself or an admin token (Prometheus has no session).
    ("GET", "/metrics"): Rule(public=True, pledge=False, self_checked=True),
    ("POST", "/api/backups"): _r(*KEEPERS, action="daryti atsarginę kopiją"),
    ("GET", "/api/backups"): _r(*KEEPERS, action="peržiūrėti atsargines kopijas"),
    ("GET", "/docs"): PUBLIC,
    # -- pages -------------------------------------------------------------------------------
    ("GET", "/prisijungti"): PUBLIC,
    ("POST", "/prisijungti"): PUBLIC,
    ("POST", "/atsijungti"): PUBLIC,  # ends whatever session the cookie names
    ("GET", "/"): ANYONE_NO_PLEDGE,  # says what is missing (the pledge) and what is due
    ("GET", "/dokumentai"): ANYONE,
    ("GET", "/dokumentai/{document_id}"): READ_SCOPED,
    ("GET", "/dokumentai/{document_id}/{name}.{ext}"): READ_SCOPED,
    ("GET", "/isduoti/achievement-summary"): _r(
        *SUMMARY_ISSUERS, action="išduoti: Mokinių mokymosi pasiekimų apskaitos suvestinė"
    ),
    ("GET", "/isduoti/achievement-summary/sablonas.xlsx"): _r(
        *SUMMARY_ISSUERS, action="išduoti: Mokinių mokymosi pasiekimų apskaitos suvestinė"
    ),
    ("POST", "/isduoti/achievement-summary/perziura"): _r(
        *SUMMARY_ISSUERS, action="išduoti: Mokinių mokymosi pasiekimų apskaitos suvestinė"
    ),
    ("POST", "/isduoti/achievement-summary/isduoti"): _r(
        *SUMMARY_ISSUERS, action="išduoti: Mokinių mokymosi pasiekimų apskaitos suvestinė"
    ),
    # Those who may issue a kind that has a page (service/web/kind_forms.py).
    ("GET", "/isduoti"): _r(OM, DEP, CT, DIR, ADM, action="išduoti dokumentus"),
    ("GET", "/isduoti/{kind}"): ISSUE,
    ("POST", "/isduoti/{kind}"): ISSUE,
    ("GET", "/dokumentai/{document_id}/nauja-versija"): ISSUE_SCOPED,
    ("POST", "/dokumentai/{document_id}/nauja-versija"): ISSUE_SCOPED,
    ("GET", "/registrai"): _r(*REGISTER_READERS, action="peržiūrėti registrus"),
    ("GET", "/registrai/{code}"): _r(*REGISTER_READERS, action="peržiūrėti registrą"),
    ("GET", "/registrai/{code}/{year}.{ext}"): _r(*REGISTER_READERS, action="spausdinti registrą"),
    ("POST", "/registrai"): _r(ADM, action="pridėti registrą"),
    ("GET", "/registrai/{code}/keisti"): _r(ADM, action="keisti registrą"),
    ("POST", "/registrai/{code}/keisti"): _r(ADM, action="keisti registrą"),
    ("GET", "/planas"): _r(*PLAN_READERS, action="peržiūrėti dokumentacijos planą"),
    ("GET", "/planas/{year}.xlsx"): _r(*PLAN_READERS, action="atsisiųsti dokumentacijos planą"),
    ("POST", "/planas/{year}/tvirtinti"): _r(DIR, action="tvirtinti dokumentacijos planą"),
    ("POST", "/planas/{year}/uzbaigti"): _r(*PLAN_EDITORS, action="uždaryti bylas"),
    ("POST", "/planas/{year}/bylos"): _r(*PLAN_EDITORS, action="keisti dokumentacijos planą"),
    ("POST", "/planas/{year}/sritys"): _r(*PLAN_EDITORS, action="keisti dokumentacijos planą"),
    ("POST", "/planas/{year}/importas"): _r(
        *PLAN_EDITORS, action="importuoti dokumentacijos planą"
    ),
    ("POST", "/planas/{year}/kopijuoti"): _r(
        *PLAN_EDITORS, action="parengti kitų metų dokumentacijos planą"
    ),
    ("GET", "/planas/{year}/byla"): _r(*PLAN_EDITORS, action="keisti dokumentacijos planą"),
    ("POST", "/planas/{year}/byla"): _r(*PLAN_EDITORS, action="keisti dokumentacijos planą"),
    ("POST", "/planas/{year}/byla/salinti"): _r(
        *PLAN_EDITORS, action="keisti dokumentacijos planą"
    ),
    ("GET", "/archyvas"): _r(*AUDITORS, action="peržiūrėti archyvo patikras"),
    ("POST", "/archyvas/patikra"): _r(ARC, action="tikrinti saugomų failų vientisumą"),
    ("GET", "/archyvas/dienynas"): _r(
        *TRANSFERRERS, action="perkelti dienyną į skaitmeninę laikmeną"
    ),
    # The upload is sent by a script, which reads the API's JSON error.
    ("POST", "/archyvas/dienynas"): _r(
        *TRANSFERRERS, action="perkelti dienyną į skaitmeninę laikmeną", answers_json=True
    ),
    ("GET", "/archyvas/taisykles"): _r(*AUDITORS, action="peržiūrėti saugojimo taisykles"),
    ("GET", "/archyvas/naikinimas"): _r(*OVERSIGHT, action="peržiūrėti naikintinas bylas"),
    ("GET", "/archyvas/metai"): _r(*OVERSIGHT, action="peržiūrėti metų bylas"),
    ("GET", "/archyvas/metai/{year}"): _r(*OVERSIGHT, action="peržiūrėti metų bylas"),
    ("GET", "/archyvas/metai/{year}.xlsx"): _r(*OVERSIGHT, action="peržiūrėti metų bylas"),
    ("GET", "/archyvas/metai/{year}/virselis/{index}.pdf"): _r(
        ARC, DIR, OM, action="spausdinti bylos viršelį"
    ),
    ("POST", "/archyvas/metai/{year}/suderinimas"): _r(
        *OVERSIGHT, action="įrašyti ekspertų komisijos suderinimą"
    ),
    ("POST", "/archyvas/naikinimas"): _r(ARC, action="teikti dokumentų naikinimo aktą"),
    ("GET", "/archyvas/naikinimas/{disposal_id}"): _r(
        *OVERSIGHT, action="peržiūrėti naikinimo aktą"
    ),
    ("POST", "/archyvas/naikinimas/{disposal_id}/tvirtinti"): _r(
        DIR, action="tvirtinti dokumentų naikinimo aktą"
    ),
    ("POST", "/archyvas/naikinimas/{disposal_id}/vykdyti"): _r(
        ARC, action="naikinti dokumentus pagal aktą"
    ),
    ("POST", "/archyvas/taisykles/importas"): _r(
        ARC, action="importuoti saugojimo terminų lentelę"
    ),
    ("GET", "/archyvas/taisykles/{rule_id}"): _r(ARC, action="keisti saugojimo taisyklę"),
    ("POST", "/archyvas/taisykles/{rule_id}"): _r(ARC, action="keisti saugojimo taisyklę"),
    ("GET", "/archyvas/sulaikymai"): _r(*OVERSIGHT, action="peržiūrėti sulaikymus"),
    ("POST", "/archyvas/sulaikymai"): _r(ARC, action="sulaikyti dokumentus"),
    ("POST", "/archyvas/sulaikymai/{hold_id}/panaikinti"): _r(ARC, action="panaikinti sulaikymą"),
    ("POST", "/archyvas/eksportas"): _r(ARC, action="eksportuoti metų bylas"),
    ("GET", "/admin/naudotojai"): _r(ADM, OM, action="tvarkyti naudotojus"),
    ("POST", "/admin/naudotojai"): _r(ADM, action="tvarkyti naudotojus"),
    ("POST", "/admin/naudotojai/{user_id}/vaidmenys"): _r(ADM, action="tvarkyti naudotojus"),
    ("POST", "/admin/naudotojai/{user_id}/busena"): _r(ADM, action="tvarkyti naudotojus"),
    ("POST", "/admin/naudotojai/{user_id}/slaptazodis"): _r(ADM, action="tvarkyti naudotojus"),
    # One's own account: reachable without a pledge (it shows nobody else's data).
    ("GET", "/paskyra"): ANYONE_NO_PLEDGE,
    ("POST", "/paskyra/slaptazodis"): ANYONE_NO_PLEDGE,
    ("POST", "/paskyra/raktai/{token_id}/atsaukti"): ANYONE_NO_PLEDGE,
    ("GET", "/admin/mokykla"): _r(ADM, action="keisti mokyklos duomenis"),
    ("POST", "/admin/mokykla"): _r(ADM, action="keisti mokyklos duomenis"),
    ("GET", "/admin/kalendorius"): _r(*CALENDAR_EDITORS, action="nustatyti mokslo metų kalendorių"),
    ("POST", "/admin/kalendorius"): _r(
        *CALENDAR_EDITORS, action="nustatyti mokslo metų kalendorių"
    ),
    ("GET", "/pranesimai"): _r(*NOTIFIED, action="peržiūrėti pranešimus"),
    ("POST", "/pranesimai/{notification_id}/pristatyta"): _r(*NOTIFIED, action="žymėti pranešimus"),
    ("GET", "/archyvas/atsargines-kopijos"): _r(*KEEPERS, action="peržiūrėti atsargines kopijas"),
    ("POST", "/archyvas/atsargines-kopijos"): _r(*KEEPERS, action="daryti atsarginę kopiją"),
}


class MissingRule(LookupError):
    """A route without an entry: the app does not start (a new route must be decided here)."""


def rule_for(method: str, path: str) -> Rule:
    try:
        return TABLE[(method, path)]
    except KeyError:
        raise MissingRule(f"{method} {path}: no entry in service/access/policy.py") from None


def may(role_set: frozenset[Role], method: str, path: str) -> bool:
    """Whether the table's roles let these roles call a route: for menus, links and buttons,
    so a page offers only what the gate would then allow (the gate still checks the pledge)."""
    rule = rule_for(method, path)
    if rule.kind is not None:
        raise ValueError(f"{method} {path}: its roles depend on a document's kind")
    return rule.roles is None or bool(role_set & rule.roles)
