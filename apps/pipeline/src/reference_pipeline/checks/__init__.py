"""Data checks on silver and gold beyond the dbt tests: Great Expectations suites and row-count anomalies."""
