"""Audit: the hash-chained, append-only event log, and its verification by replay."""
