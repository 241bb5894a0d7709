"""Great Expectations suites of the silver tables, validated inside `dbt build` (reference_pipeline.checks.in_dbt).

One row per expectation; the `great_expectations_suite` test on each silver table fails on a failed
expectation, and the gold models depend on this model, so dbt skips gold when a silver suite fails.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from reference_pipeline.checks.in_dbt import validate_layer

    return validate_layer(
        "silver",
        {
            "customers": dbt.ref("silver_customers"),
            "policies": dbt.ref("silver_policies"),
            "claims": dbt.ref("silver_claims"),
        },
    )
