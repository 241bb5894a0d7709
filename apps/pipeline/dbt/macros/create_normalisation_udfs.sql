{#
  Snowflake: the silver models call dp_normalise / dp_normalise_error / dp_postal, the same Python
  functions DuckDB gets from the dbt-duckdb plugin. They run as Snowflake Python UDFs importing the shared
  package (dataplatform_common) and reference_pipeline.udfs from a stage the CD pipeline uploads them to.
  DuckDB: nothing to do here (the plugin registers them on every connection).
#}
{% macro create_normalisation_udfs() %}
    {%- if target.type == 'snowflake' -%}
        {%- set imports = "imports = ('" ~ var('udf_stage') ~ "/dataplatform_common.zip', '" ~ var('udf_stage') ~ "/reference_pipeline.zip')" -%}
        {%- set common = "language python runtime_version = '3.11' packages = ('phonenumbers==9.0.43') " ~ imports -%}
        create or replace function {{ target.database }}.{{ target.schema }}.dp_normalise(entity varchar, field varchar, value varchar)
            returns varchar {{ common }} handler = 'reference_pipeline.udfs.normalise_value';
        create or replace function {{ target.database }}.{{ target.schema }}.dp_normalise_error(entity varchar, field varchar, value varchar)
            returns varchar {{ common }} handler = 'reference_pipeline.udfs.normalise_error';
        create or replace function {{ target.database }}.{{ target.schema }}.dp_postal(postal_code varchar, attribute varchar)
            returns varchar {{ common }} handler = 'reference_pipeline.udfs.postal_attribute';
    {%- endif -%}
{% endmacro %}
