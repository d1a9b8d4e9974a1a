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
    "security_uploads",
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("sections", nargs="*", metavar="section", help=", ".join(SECTIONS))
    modules = {name: importlib.import_module(f"bench.{name}") for name in SECTIONS}
    for module in modules.values():
        module.add_arguments(parser)
    args = parser.parse_args()
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    for name in args.sections or SECTIONS:
        lines = modules[name].run(args)
        # The tables are the product of this command: plain Markdown on stdout.
        sys.stdout.write(f"\n### {name}\n\n" + "\n".join(lines) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
