"""Comparing a PDF that came out of a joined conversion with the same document converted alone:
page by page, text (pdftotext) and pixels (pdftoppm at a fixed resolution)."""

from __future__ import annotations

import io
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pikepdf
from PIL import Image, ImageChops

RESOLUTION = 60  # dpi: a whole A4 page, enough to show a moved line or a changed digit
# Anti-aliasing may differ by a grey level where a glyph lands a fraction of a point apart; a
# person could not see 0.05 % of a page's pixels (about 17 of 35,000 on an A4 page at 60 dpi)
# differing. Measured so far: identical.
PIXEL_SHARE_TOLERANCE = 0.0005


def page_texts(pdf: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        count = len(doc.pages)
    return [
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-layout", "-f", str(n), "-l", str(n), "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
        for n in range(1, count + 1)
    ]


def page_images(pdf: bytes) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-gray", "-r", str(RESOLUTION), "-png", str(source), f"{tmp}/page"],
            check=True,
            capture_output=True,
        )
        images = []
        for path in sorted(Path(tmp).glob("page-*.png")):
            with Image.open(path) as image:
                images.append(image.convert("L"))
        return images


def pixel_difference(a: Image.Image, b: Image.Image) -> tuple[float, int]:
    """(share of pixels that differ, largest difference in grey levels)."""
    assert a.size == b.size, f"page sizes differ: {a.size} != {b.size}"
    diff = ImageChops.difference(a, b)
    histogram = diff.histogram()
    differing = sum(histogram[1:])
    largest = max((level for level, n in enumerate(histogram) if n), default=0)
    return differing / (a.size[0] * a.size[1]), largest


def _keep(joined: bytes, alone: bytes, label: str) -> str:
    """Both files, kept for a person to look at when they differ."""
    folder = Path(tempfile.mkdtemp(prefix="bylos-batch-diff-"))
    (folder / f"{label}-joined.pdf").write_bytes(joined)
    (folder / f"{label}-alone.pdf").write_bytes(alone)
    return str(folder)


def assert_same_as_alone(joined: bytes, convert_alone: Callable[[], bytes], label: str) -> None:
    """:func:`assert_same_document` against the document converted alone.

    LibreOffice itself is not deterministic where a long table breaks across pages: the same
    DOCX converted alone six times in a row broke the achievement summary's table after row
    22 once and after row 28 five times. So the joined part must equal one of up to four lone
    conversions; any other difference fails.
    """
    failure: AssertionError | None = None
    for _ in range(4):
        try:
            assert_same_document(joined, convert_alone(), label)
            return
        except AssertionError as exc:
            failure = exc
    assert failure is not None
    raise failure


def assert_same_document(joined: bytes, alone: bytes, label: str) -> None:
    """The part of a joined conversion shows exactly what the lone conversion shows."""
    texts_joined, texts_alone = page_texts(joined), page_texts(alone)
    assert len(texts_joined) == len(texts_alone), (
        f"{label}: {len(texts_joined)} pages joined, {len(texts_alone)} alone"
    )
    for number, (a, b) in enumerate(zip(texts_joined, texts_alone, strict=True), start=1):
        if a != b:
            kept = _keep(joined, alone, label)
            raise AssertionError(f"{label}: page {number} text differs (files in {kept})")
    for number, (image_a, image_b) in enumerate(
        zip(page_images(joined), page_images(alone), strict=True), start=1
    ):
        share, largest = pixel_difference(image_a, image_b)
        assert share <= PIXEL_SHARE_TOLERANCE, (
            f"{label}: page {number}: {share:.4%} of pixels differ, by up to {largest} levels"
        )


def assert_only_own_pages(part: bytes, label: str) -> None:
    """The file holds its own pages and nothing of the other joined documents: no page object
    outside its page tree, every structure element pointing at its own pages."""
    with pikepdf.open(io.BytesIO(part)) as doc:
        own = {page.obj.objgen for page in doc.pages}
        pages_in_file = {
            obj.objgen
            for obj in doc.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Page"
        }
        if pages_in_file != own:
            kept = _keep(part, b"", label)
            raise AssertionError(f"{label}: pages of other documents are in the file ({kept})")
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary) and "/Pg" in obj:
                assert obj.Pg.objgen in own, f"{label}: a structure element names another page"
        assert "/Dests" not in doc.Root.get("/Names", pikepdf.Dictionary()), label
