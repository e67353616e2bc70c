"""Runtime: cases as persisted workflows, changed only through commands."""
