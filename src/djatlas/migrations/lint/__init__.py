"""``djatlas migrations --lint``: review migration operations for deploy safety (locks, rewrites,
dropped or renamed columns and tables old code still reads, data loss, irreversible data
migrations), statically, with the replayed state as context."""
