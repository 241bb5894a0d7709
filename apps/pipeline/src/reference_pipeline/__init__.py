"""Reference data pipeline: raw drops -> bronze -> silver -> gold, checked, traced in DataHub.

The Dagster code location lives in `reference_pipeline.definitions` (`defs`).
"""
