"""The school profile every test that issues documents sets explicitly.

Bylos refuses official documents until a school sets its own profile (no placeholder prints as
real), so fixtures and benches name this one: a test school, said to be one in every field.
"""

from __future__ import annotations

from service.settings import SchoolProfile

TEST_SCHOOL = SchoolProfile(
    name="Bandomoji Šilutės Žalgirio progimnazija",
    code="190000001",
    address="Bandomoji g. 1, LT-99100 Šilutė",
    city="Šilutė",
    director_name="Ona Bandomoji",
    director_title="Direktorė",
)

# The same as BYLOS_SCHOOL_* settings, for a `bylos serve` a test or bench starts.
TEST_SCHOOL_ENV = {
    "BYLOS_SCHOOL_NAME": TEST_SCHOOL.name,
    "BYLOS_SCHOOL_CODE": TEST_SCHOOL.code,
    "BYLOS_SCHOOL_ADDRESS": TEST_SCHOOL.address,
    "BYLOS_SCHOOL_CITY": TEST_SCHOOL.city,
    "BYLOS_SCHOOL_DIRECTOR_NAME": TEST_SCHOOL.director_name,
    "BYLOS_SCHOOL_DIRECTOR_TITLE": TEST_SCHOOL.director_title,
}

# As Settings keyword arguments.
TEST_SCHOOL_SETTINGS = {
    f"school_{field}": value for field, value in TEST_SCHOOL.model_dump().items()
}
