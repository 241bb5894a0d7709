"""Dagster assets of the reference pipeline, one module per stage."""
