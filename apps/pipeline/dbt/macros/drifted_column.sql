{#
  Schema drift: a producer renamed a column in later drops (e.g. phone -> mobile_phone). The raw table
  then holds both names, and older warehouses only the old one. Coalesce the names that exist, newest first;
  fail at compile time with the fix when none does.
#}
{% macro drifted_column(relation, names) -%}
    {%- if not execute -%}{{ return(names[-1]) }}{%- endif -%}
    {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- set present = [] -%}
    {%- for name in names if name | lower in existing -%}{%- do present.append(adapter.quote(name)) -%}{%- endfor -%}
    {%- if present | length == 0 -%}
        {{ exceptions.raise_compiler_error(relation ~ " has none of the columns " ~ names | join(", ") ~ ": load a raw drop first or update the drift list") }}
    {%- elif present | length == 1 -%}
        {{ present[0] }}
    {%- else -%}
        coalesce({{ present | join(", ") }})
    {%- endif -%}
{%- endmacro %}
