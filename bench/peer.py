"""Bylos against a peer (issue 14): Carbone 3 (npm, community edition) converting the very same
leaving-certificate DOCX to PDF, convert-only, with as many LibreOffice processes as Bylos has
workers; and Bylos issuing end to end over HTTP (PDF/A, hash, WORM store, registration) with
1, 2, 4 and 8 clients, in the same run.

Carbone is installed from the npm registry into a scratch folder by this section itself; when
node, npm or the registry is missing the section says so and measures Bylos alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.conversion import _certificate_docx, serving

CARBONE = "carbone@3"
# Waits for every factory to convert twice, then keeps one conversion in flight per factory.
PEER_SCRIPT = """
const carbone = require('carbone');
const fs = require('fs');
const [docxPath, factories, count] = [process.argv[2], +process.argv[3], +process.argv[4]];
const buf = fs.readFileSync(docxPath);
carbone.set({factories, startFactory: true});
function one() {
  return new Promise((res, rej) => carbone.convert(
    buf, {convertTo: 'pdf', extension: 'docx'}, (err, out) => err ? rej(err) : res(out)));
}
(async () => {
  for (let i = 0; i < factories * 2; i++) await one();
  const t = process.hrtime.bigint();
  let next = 0;
  async function lane() { while (next < count) { next++; await one(); } }
  await Promise.all(Array.from({length: factories}, lane));
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(JSON.stringify({docs: count, seconds: s, rate: count / s}));
  process.exit(0);
})().catch(e => { console.error(String(e)); process.exit(2); });
"""
LIBREOFFICE_PROGRAM = Path("/usr/lib/libreoffice/program")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--peer-docs", type=int, default=40, help="documents per measurement")


def _carbone_rate(scratch: Path, docx: Path, factories: int, docs: int) -> float | str:
    """Carbone's docs/s, or why it could not be measured."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node/npm not installed"
    (scratch / "package.json").write_text('{"name": "bylos-peer", "private": true}')
    try:
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", CARBONE],
            cwd=scratch, capture_output=True, check=True, timeout=300,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        return f"npm install {CARBONE} failed: {exc}"
    (scratch / "peer.js").write_text(PEER_SCRIPT)
    # Carbone looks for soffice.bin on PATH (Debian keeps it in the program folder) and for a
    # python3 that can import uno (Debian's own).
    env = os.environ | {
        "PATH": f"{LIBREOFFICE_PROGRAM}:/usr/bin:/bin",
        "HOME": str(scratch),
    }
    try:
        done = subprocess.run(
            ["node", "peer.js", str(docx), str(factories), str(docs)],
            cwd=scratch, env=env, capture_output=True, text=True, check=True, timeout=600,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        return f"Carbone did not convert: {exc}"
    rate: float = json.loads(done.stdout.strip().splitlines()[-1])["rate"]
    return rate


def run(args: argparse.Namespace) -> list[str]:
    workers: int = getattr(args, "workers", 2)
    docs = args.peer_docs
    with tempfile.TemporaryDirectory(prefix="bylos-bench-peer-") as tmp_name:
        tmp = Path(tmp_name)
        docx = tmp / "leaving-certificate.docx"
        docx.write_bytes(_certificate_docx())
        scratch = tmp / "carbone"
        scratch.mkdir()
        peer = _carbone_rate(scratch, docx, workers, docs)
        with serving(tmp, "bylos", workers) as issuing:
            runs, _ = issuing.runs([1, 2, 4, 8], docs, max(10, docs // 2))
    lines = [
        f"Leaving certificate; {os.cpu_count()} cores, {workers} LibreOffice processes each; "
        f"{dt.datetime.now():%Y-%m-%d %H:%M}.",
        "",
    ]
    if isinstance(peer, str):
        lines += [f"Carbone 3 skipped: {peer}", ""]
    lines += ["| measurement | docs/s | Bylos / Carbone |", "|---|---:|---:|"]
    if not isinstance(peer, str):
        lines.append(
            f"| Carbone 3, convert only (DOCX -> PDF), {workers} factories | {peer:.2f} | |"
        )
    for run_ in runs:
        ratio = "" if isinstance(peer, str) else f"{run_.rate / peer:.2f}"
        lines.append(
            f"| Bylos, issue end to end over HTTP, {run_.clients} client(s) | {run_.rate:.2f} | "
            f"{ratio} |"
        )
    return lines
