"""The monitoring gate: alert rules and dashboards as code (platform/monitoring, apps/chart SLO rules).

promtool checks and unit-tests every rule file, dashboards are linted and their PromQL parsed by
promtool, and every metric of our apps a rule or dashboard uses must be exported by the running app.
"""
