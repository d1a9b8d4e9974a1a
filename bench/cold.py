"""The benchmarks' baseline: one throwaway ``soffice --convert-to`` run per document.

Not a path the service takes (it keeps warm workers, service/rendering/pdf.py); kept here so
the benchmarks can show what a cold LibreOffice start costs against the pool.
"""

from __future__ import annotations

import json
import logging
import subprocess
import tempfile
import time
from pathlib import Path

from service.errors import ConverterUnavailable, DocumentRejected
from service.rendering.pdf import PDF_EXPORT_FILTER, PDFA_FILTER_DATA
from storage.process_group import leader_exited, reap_group

log = logging.getLogger(__name__)


def convert_cold(
    docx: bytes, work_dir: Path, *, soffice: Path = Path("soffice"), timeout_s: float = 120.0
) -> bytes:
    """Convert with one throwaway ``soffice --convert-to`` run (the benchmark's baseline)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="cold-") as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / "document.docx"
        source.write_bytes(docx)
        # LibreOffice >= 7.4 takes export FilterData as JSON after the filter name.
        filter_data = {
            name: {"type": "boolean" if isinstance(value, bool) else "long", "value": value}
            for name, value in PDFA_FILTER_DATA.items()
        }
        cmd = [
            str(soffice),
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
            "--convert-to",
            f"pdf:{PDF_EXPORT_FILTER}:{json.dumps(filter_data, separators=(',', ':'))}",
            "--outdir",
            str(tmp / "out"),
            str(source),
        ]
        log_path = tmp / "soffice.log"
        try:
            with log_path.open("wb") as out:
                proc = subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        except OSError as exc:
            raise ConverterUnavailable("Nepavyko paleisti LibreOffice.") from exc
        deadline = time.monotonic() + timeout_s
        while not leader_exited(proc) and time.monotonic() < deadline:
            time.sleep(0.02)
        timed_out = not leader_exited(proc)
        # soffice may leave helpers in its group even after a clean exit; the leader is reaped
        # only after the sweep so the group id cannot have been reused.
        reap_group(proc)
        if timed_out:
            raise ConverterUnavailable(f"LibreOffice neatsakė per {timeout_s:g} s.")
        output = log_path.read_bytes()
        result = tmp / "out" / "document.pdf"
        if proc.returncode != 0 or not result.exists():
            log.warning("soffice --convert-to failed: %s", output.decode(errors="replace"))
            raise DocumentRejected("LibreOffice nepavyko konvertuoti dokumento į PDF/A.")
        return result.read_bytes()
