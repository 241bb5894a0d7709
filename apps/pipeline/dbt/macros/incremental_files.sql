{# Incremental bronze: only the raw files not loaded yet (file-level watermark, late rows included). #}
{% macro new_files_only() -%}
    {%- if is_incremental() -%}
    where _source_file not in (select distinct _source_file from {{ this }})
    {%- endif -%}
{%- endmacro %}
