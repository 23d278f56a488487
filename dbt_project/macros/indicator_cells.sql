{#- One indicator cell in the shape every int_indicator_* model returns, columns in a fixed
    order so family models can `union all` their parts:
    indicator, periode, gebied_code, uitsplitsing, waarde, teller, noemer, ci_laag, ci_hoog,
    aantal (observations behind a median / p80), is_skelet (a gemeente row that only says
    "this key exists"; int_indicator_raster fills it). Arguments are SQL expressions. -#}
{% macro indicator_cel(indicator, periode='periode', gebied_code='gebied_code', uitsplitsing="''",
                       waarde='null', teller='null', noemer='null', ci_laag='null', ci_hoog='null',
                       aantal='null', is_skelet='false') -%}
        cast({{ indicator }} as {{ dbt.type_string() }}) as indicator,
        cast({{ periode }} as {{ dbt.type_string() }}) as periode,
        cast({{ gebied_code }} as {{ dbt.type_string() }}) as gebied_code,
        cast({{ uitsplitsing }} as {{ dbt.type_string() }}) as uitsplitsing,
        cast({{ waarde }} as double) as waarde,
        cast({{ teller }} as double) as teller,
        cast({{ noemer }} as double) as noemer,
        cast({{ ci_laag }} as double) as ci_laag,
        cast({{ ci_hoog }} as double) as ci_hoog,
        cast({{ aantal }} as integer) as aantal,
        cast({{ is_skelet }} as boolean) as is_skelet
{%- endmacro %}

{#- 100 * a / b, null when b is 0 or null. -#}
{% macro pct(a, b, factor=100.0) -%}
    case when coalesce(({{ b }}), 0) = 0 then null else {{ factor }} * ({{ a }}) / ({{ b }}) end
{%- endmacro %}

{#- In a `group by grouping sets ((..., wijk), (...))`: the wijk of a wijk row, the gemeente code
    on the row that groups over all wijken. -#}
{% macro wijk_of_gemeente(wijk) -%}
    case when grouping({{ wijk }}) = 1 then '{{ var("gemeente_code") }}' else {{ wijk }} end
{%- endmacro %}
