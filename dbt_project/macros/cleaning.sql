{#- Normalisation helpers for the staging layer: trim, empty -> null, codes lower case. -#}

{% macro clean_text(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{% macro clean_code(column) -%}
    lower({{ clean_text(column) }})
{%- endmacro %}

{#- Landing already maps the wijk to a CBS code or 'onbekend'; an empty value is onbekend too. -#}
{% macro clean_wijk(column) -%}
    coalesce(
        case when lower({{ clean_text(column) }}) = 'onbekend' then 'onbekend'
             else upper({{ clean_text(column) }}) end,
        'onbekend'
    )
{%- endmacro %}

{#- The four jeugd uitkomsten that are jeugdhulp or jeugdzorg (CBS's definition). -#}
{% macro jeugdzorg_uitkomsten() -%}
    'jeugdhulp_ambulant', 'jeugdhulp_verblijf', 'jeugdbescherming', 'jeugdreclassering'
{%- endmacro %}
