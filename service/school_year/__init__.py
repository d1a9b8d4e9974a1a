"""The school year's calendar (periods, classes, the journal transfer deadline) and the
periodic duties computed from it for the home page and ``GET /api/duties``."""
