{#- Half-year helpers. H1 = 1 January - 30 June, H2 = 1 July - 31 December. -#}

{#- 'jjjj-H1' / 'jjjj-H2' of a date expression. -#}
{% macro halfjaar_van(date_expr) -%}
    (cast(extract(year from {{ date_expr }}) as {{ dbt.type_string() }})
     || case when extract(month from {{ date_expr }}) <= 6 then '-H1' else '-H2' end)
{%- endmacro %}

{#- An integer that orders half-years: jaar * 2 + (0 for H1, 1 for H2). -#}
{% macro halfjaar_index(date_expr) -%}
    (cast(extract(year from {{ date_expr }}) as integer) * 2
     + case when extract(month from {{ date_expr }}) <= 6 then 0 else 1 end)
{%- endmacro %}

{#- Integers lo..hi inclusive as a relation with one column `n` (engine-specific). -#}
{% macro integer_range(lo, hi) -%}
    {{ return(adapter.dispatch('integer_range', 'sdmonitor')(lo, hi)) }}
{%- endmacro %}

{% macro default__integer_range(lo, hi) -%}
    (select cast(n as integer) as n from generate_series({{ lo }}, {{ hi }}) as t(n))
{%- endmacro %}

{% macro duckdb__integer_range(lo, hi) -%}
    (select cast(range as integer) as n from range({{ lo }}, {{ hi }} + 1))
{%- endmacro %}

{#- Days from a to b (calendar days, b - a). -#}
{% macro dagen_tussen(a, b) -%}
    {{ dbt.datediff(a, b, 'day') }}
{%- endmacro %}

{#- Add a number of days / months / years to a date, result a DATE. -#}
{% macro plus_dagen(date_expr, n) -%}
    cast({{ dbt.dateadd('day', n, date_expr) }} as date)
{%- endmacro %}

{% macro plus_maanden(date_expr, n) -%}
    cast({{ dbt.dateadd('month', n, date_expr) }} as date)
{%- endmacro %}

{#- Werkdagen (Monday-Friday) after day a up to and including day b; public holidays are not
    excluded (a documented simplification). Counts weekdays since Monday 1900-01-01, so it needs
    no engine-specific day-of-week function. -#}
{% macro werkdagen_na(a, b) -%}
    ({{ _werkdagen_tot(b) }} - {{ _werkdagen_tot(a) }})
{%- endmacro %}

{% macro _werkdagen_tot(d) -%}
    (floor(({{ dbt.datediff("cast('1900-01-01' as date)", d, 'day') }} + 1) / 7) * 5
     + least(mod({{ dbt.datediff("cast('1900-01-01' as date)", d, 'day') }} + 1, 7), 5))
{%- endmacro %}
