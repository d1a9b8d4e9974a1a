"""The office's books of record: the register as printed, case covers, inventories by
retention group, the year view. Built on the registry, the cases, the documents and the
archive (it sits above all four)."""
