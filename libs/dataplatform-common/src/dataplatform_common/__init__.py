"""Code shared by the Flask data apps and the pipeline (see docs/contracts.md "Data apps").

`dataplatform_common.normalise` and `dataplatform_common.metric_names` import only the standard library
and phonenumbers; every other module may need the web dependencies (flask, duckdb, pyjwt, ...).
"""
