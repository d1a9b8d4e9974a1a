"""`bylos issue KIND --from PATH`: many documents through the running service's HTTP API.

Talking to the server (not issuing in-process) keeps one owner of the store and the converter
pool, and every document passes the same role and pledge checks as any other call. Sources:

- a ``.json`` file: one payload object, or a list of them;
- an ``.xlsx`` file: for ``achievement-summary`` one class summary in the upload layout
  (service/documents/tabular_import.py), uploaded as is; for other kinds one payload per row,
  the header naming fields by path (``student.first_name``), lists and objects as JSON;
- a ``.csv`` file: an achievement summary in the upload layout;
- a folder: every such file in it, in name order.

Each document carries an Idempotency-Key derived from its content, so running the same command
again after an interruption returns the documents already issued instead of issuing twice.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from service.documents.tabular_import import payloads_from_xlsx
from service.errors import InvalidPayload
from service.limits import BULK_LIMIT, MiB

SUMMARY = "achievement-summary"


@dataclass(frozen=True, slots=True)
class Item:
    label: str
    payload: Any = None
    upload: tuple[str, bytes] | None = None

    def key(self, kind: str) -> str:
        if self.upload is not None:
            body = self.upload[1]
        else:
            body = json.dumps(self.payload, sort_keys=True, ensure_ascii=False).encode()
        return "bylos-issue-" + hashlib.sha256(kind.encode() + b"\0" + body).hexdigest()[:40]


@dataclass(frozen=True, slots=True)
class Outcome:
    label: str
    ok: bool
    text: str


def _items_of(kind: str, path: Path) -> list[Item]:
    suffix = path.suffix.lower()
    if suffix in (".json", ".xlsx", ".csv") and path.stat().st_size > BULK_LIMIT:
        # The server would refuse it (413) anyway; here it is not even read into memory.
        raise InvalidPayload(
            f"Failas „{path.name}“ per didelis: leidžiama ne daugiau kaip {BULK_LIMIT // MiB} MiB."
        )
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, list):
            return [Item(f"{path.name}[{i}]", payload=p) for i, p in enumerate(data)]
        return [Item(path.name, payload=data)]
    if suffix in (".xlsx", ".csv") and kind == SUMMARY:
        return [Item(path.name, upload=(path.name, path.read_bytes()))]
    if suffix == ".xlsx":
        rows = payloads_from_xlsx(path.read_bytes(), path.name)
        return [Item(f"{path.name}:{row}", payload=p) for row, p in rows]
    return []


def collect(kind: str, source: Path) -> list[Item]:
    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.is_file())
    elif source.is_file():
        files = [source]
    else:
        raise InvalidPayload(f"Nerastas failas ar aplankas „{source}“.")
    items: list[Item] = []
    for path in files:
        items += _items_of(kind, path)
    return items


def _send(client: httpx.Client, kind: str, item: Item) -> Outcome:
    headers = {"Idempotency-Key": item.key(kind)}
    try:
        if item.upload is not None:
            response = client.post(
                f"/api/documents/{kind}/upload", files={"file": item.upload}, headers=headers
            )
        else:
            response = client.post(f"/api/documents/{kind}", json=item.payload, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(item.label, False, f"tarnyba nepasiekiama: {exc}")
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code in (200, 201):
        number = body["registration"]["number"]
        again = " (jau buvo išduotas)" if response.status_code == 200 else ""
        return Outcome(item.label, True, f"{number}{again}")
    detail = body.get("detail") if isinstance(body, dict) else None
    return Outcome(item.label, False, f"{response.status_code}: {detail or response.text[:300]}")


def issue_from(
    kind: str,
    source: Path,
    *,
    base_url: str,
    token: str,
    parallel: int = 8,
    console: Console | None = None,
) -> int:
    """Issue every document found at ``source``; print a table; return how many failed."""
    out = console or Console(stderr=True)
    try:
        items = collect(kind, source)
    except (InvalidPayload, ValueError, OSError) as exc:
        detail = exc.detail if isinstance(exc, InvalidPayload) else str(exc)
        out.print(f"[red]Klaida:[/red] {detail}")
        return 1
    if not items:
        out.print(f"[yellow]Šaltinyje „{source}“ nerasta dokumentų duomenų.[/yellow]")
        return 0
    outcomes: list[Outcome] = []
    headers = {"Authorization": f"Bearer {token}"}
    with (
        httpx.Client(base_url=base_url, headers=headers, timeout=180) as client,
        Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=out,
        ) as progress,
        ThreadPoolExecutor(max_workers=parallel) as pool,
    ):
        task = progress.add_task(f"Išduodama: {kind}", total=len(items))
        for outcome in pool.map(lambda item: _send(client, kind, item), items):
            outcomes.append(outcome)
            progress.advance(task)
    table = Table(title=f"{kind}: išduota {sum(o.ok for o in outcomes)} iš {len(outcomes)}")
    table.add_column("Šaltinis")
    table.add_column("Rezultatas")
    table.add_column("Nr. / priežastis", overflow="fold")
    for o in outcomes:
        table.add_row(o.label, "[green]išduota[/green]" if o.ok else "[red]nepavyko[/red]", o.text)
    out.print(table)
    return sum(not o.ok for o in outcomes)
