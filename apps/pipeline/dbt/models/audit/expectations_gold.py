"""Great Expectations suites of the gold marts, validated inside `dbt build` (reference_pipeline.checks.in_dbt).

One row per expectation; the `great_expectations_suite` test on each gold table fails on a failed
expectation, which fails the dbt step, so the serving file and DataHub are not refreshed.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from reference_pipeline.checks.in_dbt import validate_layer

    return validate_layer(
        "gold",
        {
            "customers": dbt.ref("gold_customers"),
            "policies": dbt.ref("gold_policies"),
            "claims": dbt.ref("gold_claims"),
            "premiums_monthly": dbt.ref("gold_premiums_monthly"),
            "ref_postal_codes": dbt.ref("gold_postal_codes"),
        },
    )
