{#
  Incremental silver and gold (apps/pipeline/README.md, "Incremental models"). `--full-refresh` rebuilds both
  from bronze as the first build does; an incremental run must give the same rows (tests/test_incremental.py).

  Silver: `keys_loaded_after_target` are the keys of the bronze rows loaded after the newest `_loaded_at` the
  model already holds. The model recomputes exactly those keys from the whole bronze history, with the full
  build's newest-row-wins rule and tie-breaks, and the unique_key strategy replaces them: an update wins, a
  late row older than the current version loses to it, as in a full build. The normalisation UDFs run on one
  row per touched key, not on the whole history.
#}
{% macro keys_loaded_after_target(relation, key) -%}
    select upper(trim({{ key }}))
    from {{ relation }}
    where _loaded_at > (select coalesce(max(_loaded_at), cast('1900-01-01' as timestamp)) from {{ this }})
{%- endmacro %}

{#
  Gold: the marts are joins and aggregates over silver (no UDF), so they are computed from the whole silver
  state: that is what keeps them exact when a source row leaves a record (a claim moved to another policy
  changes the old policy's totals, a policy moved to another holder the old holder's counts) or a new
  reference version changes a department. `except_unchanged_rows` keeps only the rows that differ from the
  target (new keys, changed values), which the unique_key strategy writes; `loaded_at` says when a record's
  newest source row was loaded. Records that no longer qualify are deleted by the model's post-hook (_gold.yml).
#}
{% macro contract_columns() -%}
    {%- set columns = model.columns.keys() | list -%}
    {%- if execute and not columns -%}
        {{ exceptions.raise_compiler_error(model.name ~ ": declare the model's columns in its yml (contract)") }}
    {%- endif -%}
    {{ columns | join(', ') }}
{%- endmacro %}

{% macro except_unchanged_rows() -%}
    {%- if is_incremental() %}
except
select {{ contract_columns() }} from {{ this }}
    {%- endif %}
{%- endmacro %}
