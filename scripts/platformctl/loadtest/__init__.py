"""The load gate: drive an API with locust and judge its SLO from locust's stats and from Prometheus.

`gate.run_gate` orchestrates; each module does one job (SLO file, processes, Prometheus, locust,
PromQL, verdict, plot). See `platformctl loadtest --help`.
"""
