"""The one typed configuration of the service, read once from ``BYLOS_*`` environment variables.

Only ``app.py``, ``cli.py`` and the request dependencies read it; everything below them receives
plain values, so domain code never depends on the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.records import RecordsSettings

# Keys that must never reach a production object store: they are what the embedded
# SeaweedFS uses on loopback and what people paste from tutorials.
_PLACEHOLDER_SECRETS = {"changethis", "minioadmin", "bylos-embedded-secret", ""}


class SchoolProfile(BaseModel):
    """What the letterhead and the signature block say; configuration, never code.

    Empty until the school sets it: official documents are refused while anything they print
    is missing (service/school_profile/profile.py), so no placeholder ever prints as real.
    """

    name: str = ""
    code: str = ""
    address: str = ""
    city: str = ""
    director_name: str = ""
    director_title: str = "Direktorius"
    phone: str = ""
    email: str = ""
    # The name in the genitive ("... progimnazijos"), where the automatic form is wrong.
    name_genitive: str = ""


@dataclass(frozen=True, slots=True)
class Components:
    """The plain values that build the service's parts (database, store, converter, rules):
    read from Settings at the edges (app, CLI) and handed to service.bootstrap."""

    data_dir: Path
    database_url: str
    s3: tuple[str, str, str] | None  # endpoint, access key, secret key; None = embedded
    bucket: str
    s3_secure: bool
    s3_timeout_s: float
    uno_bin: Path
    converter_timeout_s: float
    rules_file: Path | None
    school: SchoolProfile
    # Years an audit anchor stays COMPLIANCE-locked in the store (service/audit/anchors.py).
    anchor_retention_years: int = 75
    records: RecordsSettings = field(default_factory=RecordsSettings)
    converter_batching: bool = True
    converter_batch_max: int = 16
    converter_batch_max_kib: int = 448


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BYLOS_", extra="ignore")

    data_dir: Path = Path("var")
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    database_url: str | None = None

    s3_endpoint: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    s3_bucket: str = "bylos"
    s3_secure: bool = False
    s3_timeout_s: float = 10.0

    converter_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=32)
    converter_timeout_s: float = Field(default=30.0, gt=0)
    # The conversion queue (service/rendering/queue.py). Batching joins waiting documents of one
    # template into one conversion (off: each document converted alone, the old path). A request
    # waits at most converter_queue_wait_s for a converter place, then gets 503 + Retry-After
    # without a number being taken. Capacity: places shared by all users (None: per worker,
    # one batch and one more).
    converter_batching: bool = True
    converter_batch_max: int = Field(default=16, ge=1, le=64)
    # The bodies (word/document.xml) of one batch add up to at most this: sixteen certificates
    # or monthly reports, two class summaries; a joined conversion then lasts about a second.
    converter_batch_max_kib: int = Field(default=448, ge=16, le=65536)
    converter_queue_wait_s: float = Field(default=20.0, gt=0)
    converter_queue_capacity: int | None = Field(default=None, ge=1)
    converter_queue_max_waiting: int = Field(default=256, ge=0)
    # Where setup_uno.sh puts unoserver beside Debian's python3-uno (see rendering/pdf.py).
    uno_venv: Path = Path(__file__).resolve().parents[1] / ".venv-uno"

    # Empty by default: a placeholder school or director must never print on a real document.
    # A deployment sets its own here, with `bylos school set` or on /admin/mokykla.
    school_name: str = ""
    school_code: str = ""
    school_address: str = ""
    school_city: str = ""
    school_director_name: str = ""
    school_director_title: str = "Direktorius"
    school_phone: str = ""
    school_email: str = ""
    school_name_genitive: str = ""

    retention_rules_file: Path | None = None
    # Hours between scheduled fixity runs while the service runs; 0 turns them off.
    fixity_interval_hours: float = Field(default=0, ge=0)
    # Minutes between audit anchors while the service runs (written only when the chain has
    # moved); 0 leaves only the anchors after fixity, closing, disposal and on demand.
    audit_anchor_interval_minutes: float = Field(default=60, ge=0)
    audit_anchor_retention_years: int = Field(default=75, ge=1, le=200)
    timezone: str = "Europe/Vilnius"

    # Operations (issue 15): where the archivist's and admin's backup button writes (unset: the
    # button is off; `bylos backup --to DIR` works either way), the ages past which the home page
    # warns, and the log format for a collector.
    backup_dir: Path | None = None
    backup_max_age_hours: float = Field(default=26, gt=0)
    fixity_max_age_days: float = Field(default=35, gt=0)
    log_format: Literal["text", "json"] = "text"
    # The reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is
    # believed for sign-in throttling; none by default, so nobody can choose their address.
    trusted_proxies: str = ""

    @model_validator(mode="after")
    def _proxies_parse(self) -> Settings:
        from service.proxies import parse_networks

        parse_networks(self.trusted_proxies)
        return self

    # Records (issue 12): the school's choices the records rules leave open (README).
    records_long_term_over_years: int = Field(default=10, ge=1, le=100)
    records_pages_per_sheet: int = Field(default=1, ge=1, le=2)
    records_commission: str = Field(default="Dokumentų ekspertų komisija", max_length=200)

    @model_validator(mode="after")
    def _external_store_needs_real_keys(self) -> Settings:
        if self.s3_endpoint:
            secret = self.s3_secret_key.get_secret_value() if self.s3_secret_key else ""
            if not self.s3_access_key or secret in _PLACEHOLDER_SECRETS:
                raise ValueError(
                    "Nurodžius BYLOS_S3_ENDPOINT, būtini tikri BYLOS_S3_ACCESS_KEY ir "
                    "BYLOS_S3_SECRET_KEY (numatytieji ar tušti raktai neleidžiami)."
                )
        return self

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'bylos.sqlite3').resolve()}"

    def components(self) -> Components:
        s3 = None
        if self.s3_endpoint and self.s3_access_key and self.s3_secret_key:
            s3 = (self.s3_endpoint, self.s3_access_key, self.s3_secret_key.get_secret_value())
        return Components(
            data_dir=self.data_dir,
            database_url=self.resolved_database_url,
            s3=s3,
            bucket=self.s3_bucket,
            s3_secure=self.s3_secure,
            s3_timeout_s=self.s3_timeout_s,
            uno_bin=self.uno_venv / "bin",
            converter_timeout_s=self.converter_timeout_s,
            rules_file=self.retention_rules_file,
            school=self.school,
            anchor_retention_years=self.audit_anchor_retention_years,
            records=RecordsSettings(
                long_term_over_years=self.records_long_term_over_years,
                pages_per_sheet=self.records_pages_per_sheet,
                commission=self.records_commission,
            ),
            converter_batching=self.converter_batching,
            converter_batch_max=self.converter_batch_max,
            converter_batch_max_kib=self.converter_batch_max_kib,
        )

    @cached_property
    def school(self) -> SchoolProfile:
        return SchoolProfile(
            name=self.school_name,
            code=self.school_code,
            address=self.school_address,
            city=self.school_city,
            director_name=self.school_director_name,
            director_title=self.school_director_title,
            phone=self.school_phone,
            email=self.school_email,
            name_genitive=self.school_name_genitive,
        )
