"""Deterministic output: JSONL records, rejected records with reasons, and the fix log."""
