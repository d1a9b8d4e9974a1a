"""`python -m bench [section ...]`: print the performance tables (Markdown, for the README).

Each section is a module of this package with ``add_arguments(parser)`` and
``run(args) -> list[str]``; with no section named, all of them run, one after the other, so the
figures of one table come from one run on one machine.
"""

from __future__ import annotations

import argparse
import importlib
import sys

SECTIONS = [
    "conversion",
    "peer",
    "documents",
    "archive",
    "registry",
    "operations",
    "security_signin",
    "security_uploads",
]
# A name for several sections run together (`python -m bench security`).
GROUPS = {"security": ["security_signin", "security_uploads"]}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "sections", nargs="*", metavar="section", help=", ".join([*SECTIONS, *GROUPS])
    )
    modules = {name: importlib.import_module(f"bench.{name}") for name in SECTIONS}
    for module in modules.values():
        module.add_arguments(parser)
    args = parser.parse_args()
    wanted = [part for name in args.sections for part in GROUPS.get(name, [name])]
    unknown = sorted(set(wanted) - set(SECTIONS))
    if unknown:
        known = ", ".join([*SECTIONS, *GROUPS])
        parser.error(f"unknown section(s): {', '.join(unknown)}; known: {known}")
    for name in wanted or SECTIONS:
        lines = modules[name].run(args)
        # The tables are the product of this command: plain Markdown on stdout.
        sys.stdout.write(f"\n### {name}\n\n" + "\n".join(lines) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
