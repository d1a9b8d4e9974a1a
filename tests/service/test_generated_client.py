"""Issue 13 item 2: a client generated from /openapi.json works, as the README shows it.

The README's worked example, run: openapi-python-client generates a package from the served
document, and that package issues a leaving certificate, reads it back and downloads its PDF
from the real service. A contract that lies (an answer that does not fit its schema, an
undocumented status) makes the generated code raise or return None here.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from service.users.models import Role
from tests.conftest import Service, example

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
CONFIG = ROOT / "examples" / "client" / "openapi-python-client.yaml"


def _generate(service: Service, into: Path) -> Any:
    spec = into / "openapi.json"
    spec.write_text(json.dumps(service.client.get("/openapi.json").json()), encoding="utf-8")
    package = into / "bylos_client"
    done = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            *("--path", str(spec), "--meta", "none"),
            *("--output-path", str(package), "--config", str(CONFIG)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # Every operation, answer and model generated: nothing skipped as unparseable.
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(into))
    return importlib.import_module("bylos_client")


@pytest.mark.db
def test_a_generated_client_issues_reads_and_downloads(service: Service, tmp_path: Path) -> None:
    client_package = _generate(service, tmp_path)
    try:
        issue = importlib.import_module("bylos_client.api.documents.issue_document")
        read = importlib.import_module("bylos_client.api.documents.get_document")
        download = importlib.import_module("bylos_client.api.documents.get_file")
        registers = importlib.import_module("bylos_client.api.registry.list_registers")
        models = importlib.import_module("bylos_client.models")

        bylos = client_package.Client(base_url="http://testserver", raise_on_unexpected_status=True)
        service.client.headers.update(service.user(Role.office_manager))
        bylos.set_httpx_client(service.client)

        issued = issue.sync(
            "leaving-certificate",
            client=bylos,
            body=models.LeavingCertificate.from_dict(example("leaving-certificate")),
            idempotency_key="sugeneruotas-klientas-1",
        )
        assert isinstance(issued, models.DocumentOut), issued
        assert issued.registration.number == "PZ-1"

        again = read.sync(issued.id, client=bylos)
        assert isinstance(again, models.DocumentOut)
        assert again.file.sha256 == issued.file.sha256

        pdf = download.sync(issued.id, client=bylos)
        assert pdf is not None and pdf.payload.read().startswith(b"%PDF-")

        codes = [register.code for register in registers.sync(client=bylos)]
        assert "PZ" in codes

        # Well typed but against the payload's own rules: left before enrolling.
        wrong = example("leaving-certificate") | {"left_on": "2019-06-01"}
        refused = issue.sync(
            "leaving-certificate", client=bylos, body=models.LeavingCertificate.from_dict(wrong)
        )
        assert isinstance(refused, models.ErrorOut), refused
        assert refused.error == "InvalidPayload"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.split(".")[0] == "bylos_client"]:
            del sys.modules[name]
