"""What the running service holds: built once in the app's lifespan, handed to routes."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from retention.rules import RuleSet
from service.documents.issuing import Converter, Issuer
from service.documents.kinds import KindSpec
from service.records import RecordsSettings
from service.settings import SchoolProfile
from storage.objectstore import ObjectStorePort


@dataclass
class Runtime:
    engine: Engine
    store: ObjectStorePort
    converter: Converter
    rules: RuleSet
    school: SchoolProfile
    kinds: dict[str, KindSpec]
    # The school's records choices (inventory groups, sheets per page): settings, see README.
    records: RecordsSettings = field(default_factory=RecordsSettings)

    @property
    def issuer(self) -> Issuer:
        return Issuer(
            engine=self.engine,
            store=self.store,
            converter=self.converter,
            rules=self.rules,
            school=self.school,
        )
