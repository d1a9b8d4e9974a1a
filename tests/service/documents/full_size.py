"""Reading an issued PDF as the office reads it: page texts, running lines, table rows."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import Service


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    return next(
        int(line.split()[1])
        for line in info.stdout.decode().splitlines()
        if line.startswith("Pages:")
    )


def pages(pdf: bytes, *, layout: bool = True) -> list[str]:
    """Each page's text; ``layout`` keeps a table row on one line."""
    mode = ["-layout"] if layout else []
    return [
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", *mode, "-f", str(n), "-l", str(n), "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
        for n in range(1, page_count(pdf) + 1)
    ]


def flat(text: str) -> str:
    return " ".join(text.split())


def first_lines(text: str, count: int = 3) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:count]


def assert_continuation_pages(texts: list[str], running: list[str]) -> None:
    """From page 2: the page number alone on the top line, then the running line naming the
    document; page 1 has neither."""
    assert len(texts) >= 2, "a full-size document takes more than one page"
    assert first_lines(texts[0], 1)[0] != "1", "page 1 carries no page number"
    for number, text in enumerate(texts[1:], start=2):
        top = first_lines(text, 2)
        assert top[0] == str(number), f"page {number} starts with {top[0]!r}, not its number"
        for part in running:
            assert part in top[1], f"page {number}: running line {top[1]!r} lacks {part!r}"


def numbered_rows(texts: list[str]) -> dict[int, tuple[int, str]]:
    """Row number -> (page, the row's line) for every line starting "N." in a table."""
    rows: dict[int, tuple[int, str]] = {}
    for page, text in enumerate(texts, start=1):
        for line in text.splitlines():
            match = re.match(r"\s*(\d+)\.\s+\S", line)
            if match:
                rows.setdefault(int(match[1]), (page, line))
    return rows


def issued_pdf(
    service: Service, kind: str, data: object, headers: dict[str, str]
) -> tuple[dict[str, object], bytes]:
    response = service.client.post(f"/api/documents/{kind}", json=data, headers=headers)
    assert response.status_code == 201, response.text
    doc: dict[str, object] = response.json()
    pdf = service.client.get(f"/api/documents/{doc['id']}/file", headers=headers)
    assert pdf.status_code == 200
    return doc, pdf.content
