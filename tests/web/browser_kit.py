"""What every browser test shares: Debian's chromium, the staff of the test school, signing in,
and the checks each page state passes (WCAG 2.1 A/AA through axe-core, reflow at 320 px and at
200 % zoom, non-text contrast). Screenshots for the README are opt-in: `BYLOS_SCREENS=1`."""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, ViewportSize, expect

CHROMIUM = Path("/usr/bin/chromium")
SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
PASSWORD = "Raštinė-2026-ruduo"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=lt",
]

MANAGER = {"name": "Rasa Raštinienė", "position": "Raštinės vedėja", "login": "rasa"}
ADMIN = {"name": "Tomas Administratorius", "position": "IT specialistas", "login": "tomas"}
NEWCOMER = {"name": "Jonas Naujokas", "position": "Mokytojas", "login": "jonas"}
ARCHIVIST = {"name": "Aldona Archyvarė", "position": "Archyvarė", "login": "aldona"}
TEACHER = {"name": "Jūratė Mockienė", "position": "Klasės vadovė", "login": "jurate"}
DIRECTOR = {"name": "Vardenis Pavardenis", "position": "Direktorius", "login": "direktorius"}
DEPUTY = {
    "name": "Asta Pavaduotoja",
    "position": "Direktoriaus pavaduotoja ugdymui",
    "login": "asta",
}
# Who the test school has, with roles and whether their pledge is registered.
STAFF: tuple[tuple[dict[str, str], list[str], bool], ...] = (
    (MANAGER, ["office_manager"], True),
    (ADMIN, ["admin"], True),
    (NEWCOMER, ["class_teacher"], False),
    (ARCHIVIST, ["archivist"], True),
    (TEACHER, ["class_teacher"], True),
    (DEPUTY, ["deputy"], True),
    (DIRECTOR, ["director"], True),
)

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
# WCAG 1.4.10: content reflows at 320 CSS px (1280 px at 400 %) ...
NARROW: ViewportSize = {"width": 320, "height": 640}
# ... and a 1280 x 900 laptop at 200 % zoom lays pages out in a 640 x 450 CSS px viewport.
ZOOM_200: ViewportSize = {"width": 640, "height": 450}

# The rules of WCAG 2.0 and 2.1, levels A and AA (EN 301 549 clause 9).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_SCRIPT = (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def sign_in(page: Page, login: str, *, screen: str | None = None) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/prisijungti"))
    page.get_by_label("Prisijungimo vardas").fill(login)
    page.get_by_label("Slaptažodis").fill(PASSWORD)
    if screen:
        state(page, screen)
    page.get_by_role("button", name="Prisijungti").click()
    expect(page.get_by_role("button", name="Atsijungti")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Atsijungti").click()
    expect(page).to_have_url(re.compile(r"/prisijungti"))


# -- the checks --------------------------------------------------------------------------------


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now. Injected through the
    DevTools protocol (page.evaluate), so the pages' Content-Security-Policy does not apply."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    result: dict[str, Any] = page.evaluate("options => axe.run(document, options)", options)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def _report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            lines.append(f"      {node.get('failureSummary', '')}".replace("\n", " "))
    return "\n".join(lines)


def assert_accessible(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{name} ({page.url}): WCAG 2.1 A/AA\n{_report(violations)}"


_OVERFLOW = """() => {
  const doc = document.scrollingElement;
  const width = doc.clientWidth;
  if (doc.scrollWidth <= width) return [];
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.parentElement && el.parentElement.closest('.table-region')) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1) {
      wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className} ` +
                `right=${Math.round(r.right)}`);
    }
  }
  if (!wide.length) {
    // Nothing outside a region sticks out: something inside one escapes its clip.
    for (const el of document.body.querySelectorAll('.table-region *')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && getComputedStyle(el).position !== 'static') {
        wide.push(`${el.tagName.toLowerCase()}.${el.className} escapes its table region`);
      }
    }
  }
  return [`page ${doc.scrollWidth} px > viewport ${width} px`, ...wide.slice(0, 8)];
}"""


def assert_reflows(page: Page, name: str) -> None:
    """No horizontal scroll of the page itself: only a table region may scroll sideways."""
    wide: list[str] = page.evaluate(_OVERFLOW)
    size = page.viewport_size
    assert not wide, f"{name} at {size}: scrolls sideways\n" + "\n".join(wide)


_CONTRAST = """() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const behind = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  const fields = document.querySelectorAll(
    'input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]),' +
    'select, textarea');
  for (const el of fields) {
    if (!el.offsetParent) continue;
    const r = ratio(rgb(getComputedStyle(el).borderTopColor), behind(el.parentElement));
    if (r < 3) bad.push(`border of #${el.id || el.name}: ${r.toFixed(2)}:1`);
  }
  return bad;
}"""

_FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const cs = getComputedStyle(el);
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let back = [255, 255, 255];
  for (let e = el.parentElement; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { back = c.slice(0, 3); break; }
  }
  const [x, y] = [lum(rgb(cs.outlineColor)), lum(back)].sort((p, q) => q - p);
  return {
    what: el.outerHTML.slice(0, 80),
    style: cs.outlineStyle,
    width: parseFloat(cs.outlineWidth),
    ratio: (x + 0.05) / (y + 0.05),
  };
}"""


def assert_non_text_contrast(page: Page, name: str, *, tab_stops: int = 6) -> None:
    """WCAG 1.4.11, which axe does not check: every field's border, and the focus ring of the
    first Tab stops, at least 3:1 against what is behind them."""
    bad: list[str] = page.evaluate(_CONTRAST)
    for _ in range(tab_stops):
        page.keyboard.press("Tab")
        ring: dict[str, Any] | None = page.evaluate(_FOCUS_RING)
        if ring is None:
            continue
        if ring["style"] == "none" or ring["width"] < 2 or ring["ratio"] < 3:
            bad.append(f"focus ring of {ring['what']}: {ring}")
    assert not bad, f"{name} ({page.url}): non-text contrast below 3:1\n" + "\n".join(bad)


_HOUSE_RULES = """() => {
  const bad = [];
  const ids = v => (v || '').split(/\\s+/).filter(Boolean);
  for (const t of document.querySelectorAll('table')) {
    const r = t.closest('.table-region');
    if (!r || r.getAttribute('role') !== 'region' || !r.getAttribute('aria-label') ||
        r.getAttribute('tabindex') !== '0') bad.push('table outside a labelled focusable region');
  }
  for (const el of document.querySelectorAll('ul[role], ol[role]')) {
    bad.push(`role=${el.getAttribute('role')} on a list`);
  }
  for (const el of document.querySelectorAll('span[aria-label], div[aria-label]')) {
    if (!el.getAttribute('role')) bad.push(`aria-label on a plain ${el.tagName}`);
  }
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]')) {
    for (const id of [...ids(el.getAttribute('aria-describedby')),
                      ...ids(el.getAttribute('aria-labelledby'))]) {
      if (!document.getElementById(id)) bad.push(`#${el.id}: points at missing #${id}`);
    }
  }
  for (const el of document.querySelectorAll('[aria-invalid=true]')) {
    const errs = ids(el.getAttribute('aria-describedby'))
      .map(id => document.getElementById(id)).filter(e => e && e.classList.contains('error'));
    if (!errs.length) bad.push(`#${el.id || el.name}: invalid but described by no error`);
  }
  for (const label of document.querySelectorAll('label[for]')) {
    const control = document.getElementById(label.getAttribute('for'));
    if (label.querySelector('.req') && control && !control.required) {
      bad.push(`#${control.id}: marked * but not required`);
    }
  }
  const summary = document.getElementById('klaidos');
  if (summary && !summary.hidden && !document.title.startsWith('Klaida: ')) {
    bad.push('errors shown but the title does not say so');
  }
  if (document.title.length > 120) bad.push(`title of ${document.title.length} characters`);
  return bad;
}"""


def assert_house_rules(page: Page, name: str) -> None:
    """What templates/ui.html gives every page, checked on the page as rendered: tables in a
    labelled scrolling region, no role on a list, no aria-label on a plain span, every
    described-by pointing somewhere, invalid fields described by their error, the asterisk
    only on real required fields, "Klaida:" in the title when errors are shown."""
    bad: list[str] = page.evaluate(_HOUSE_RULES)
    assert not bad, f"{name} ({page.url}):\n" + "\n".join(bad)


def screens_wanted() -> bool:
    return os.environ.get("BYLOS_SCREENS", "") not in ("", "0")


def state(page: Page, name: str, *, full: bool = True, narrow: bool = False) -> None:
    """A page state a test reached: it must pass WCAG 2.1 A/AA. With BYLOS_SCREENS=1 it is also
    saved as docs/screens/NAME.png (and NAME-320.png when ``narrow``) for the README."""
    assert_accessible(page, name)
    assert_house_rules(page, name)
    if not screens_wanted():
        return
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=full)
    if narrow:
        size = page.viewport_size
        page.set_viewport_size(NARROW)
        page.screenshot(path=str(SCREENS / f"{name}-320.png"), full_page=full)
        if size:
            page.set_viewport_size(size)
