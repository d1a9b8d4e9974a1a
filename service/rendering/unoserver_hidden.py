"""unoserver 3.7, with every document it converts opened hidden. Run by the .venv-uno Python.

unoserver opens the document to convert with ``ReadOnly`` only, so LibreOffice builds a frame
and a view for it as if for a person to look at (headless or not), and tears them down again:
measured here with one warm worker, a leaving certificate alone cost LibreOffice ~147 ms of CPU
opened that way and ~92 ms opened with ``Hidden`` (what LibreOffice's own converters and
Carbone do); a batch of 16, 45 and 40 ms per document. The PDF is laid out for the page either
way (tests/rendering/test_pdf.py compares the two for every kind).

unoserver has no option for it, so this wraps the desktop its converter loads documents from
and then runs unoserver's own ``main`` with the command line it was given. It runs under
Debian's Python (the one with ``uno``), not the project's venv: it imports nothing of Bylos.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

HIDDEN = "Hidden"


class HiddenDesktop:
    """The LibreOffice desktop, loading every component hidden; anything else passes through.
    ``prop`` makes a ``com.sun.star.beans.PropertyValue`` (Name=, Value=)."""

    def __init__(self, desktop: Any, prop: Callable[..., Any]) -> None:
        self._desktop = desktop
        self._prop = prop

    def loadComponentFromURL(  # the UNO method's name
        self, url: str, frame: str, flags: int, properties: tuple[Any, ...]
    ) -> Any:
        named = tuple(p for p in properties if p.Name != HIDDEN)
        return self._desktop.loadComponentFromURL(
            url, frame, flags, (*named, self._prop(Name=HIDDEN, Value=True))
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._desktop, name)


def main() -> int:
    """unoserver's own command line, its converter loading documents hidden. The imports are
    here: importing this module (the project's venv has no ``uno``) must change nothing."""
    import uno  # type: ignore[import-not-found]  # noqa: F401  (registers the com.sun.star imports)
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
    from unoserver import converter, server

    original_init = converter.UnoConverter.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        # A later unoserver that no longer keeps its desktop here would silently lose the
        # wrapper: refuse to start instead (the converter tests then fail loudly).
        if not hasattr(self, "desktop"):
            raise RuntimeError("unoserver.converter.UnoConverter has no desktop to wrap")
        self.desktop = HiddenDesktop(self.desktop, PropertyValue)

    converter.UnoConverter.__init__ = init
    code: int | None = server.main()
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
