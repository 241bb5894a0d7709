"""Promotion of pinned versions between environments (`platformctl promote`)."""
