"""The policy gate: checkov (kubernetes, dockerfile, secrets) plus the platform's own checks in policies/.

Modules: `catalogue` (which checks run, where, and how to fix each), `context` (facts the custom checks
need beyond one object), `checkov` (one checkov process per framework and environment), `upstream_values`
(value-level rules for upstream charts not rendered offline), `exceptions` (justified, expiring
exceptions), `results` (one result per check and object), `sarif` and `junit` (reports), `gate` (runs it all).
"""
