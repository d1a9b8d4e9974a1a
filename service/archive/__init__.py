"""The archivist's work: retention rules and events, holds, disposal with destruction acts,
fixity, the audit chain check, year-end export and journal transfer."""
