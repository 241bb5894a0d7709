"""Names and labels of the metrics every data app exports (docs/contracts.md "Data apps").

Kept free of prometheus_client so dashboards, alert rules and their tests can import the names alone.
Every metric also carries the label `app` (the application name).
"""

from __future__ import annotations

HTTP_REQUEST_DURATION = "dataapp_http_request_duration_seconds"
HTTP_REQUEST_DURATION_LABELS = ("app", "route", "method", "status")

ROWS_SERVED = "dataapp_rows_served_total"
ROWS_SERVED_LABELS = ("app", "dataset", "format")

WAREHOUSE_QUERY_DURATION = "dataapp_warehouse_query_duration_seconds"
WAREHOUSE_QUERY_DURATION_LABELS = ("app", "backend", "operation")

ENRICHMENT_RECORDS = "dataapp_enrichment_records_total"
ENRICHMENT_RECORDS_LABELS = ("app", "entity", "status")

# Latency buckets (seconds) shared by both histograms: fine below 100 ms where the SLOs sit.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

ALL_METRICS = {
    HTTP_REQUEST_DURATION: HTTP_REQUEST_DURATION_LABELS,
    ROWS_SERVED: ROWS_SERVED_LABELS,
    WAREHOUSE_QUERY_DURATION: WAREHOUSE_QUERY_DURATION_LABELS,
    ENRICHMENT_RECORDS: ENRICHMENT_RECORDS_LABELS,
}
