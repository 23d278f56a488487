{#- Quantiles interpolate linearly between order statistics (numpy's default). -#}
{% macro kwantiel(expr, q) -%}
    {{ return(adapter.dispatch('kwantiel', 'sdmonitor')(expr, q)) }}
{%- endmacro %}

{% macro default__kwantiel(expr, q) -%}
    percentile_cont({{ q }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__kwantiel(expr, q) -%}
    quantile_cont({{ expr }}, {{ q }})
{%- endmacro %}

{#- Wilson 95% interval bound for a proportion p (0-1) on sample size n, in percent clamped to
    0-100, rounded to 4 decimals. sign = -1 for the lower bound, +1 for the upper bound. Null
    when n is null or 0. -#}
{% macro wilson_grens(p, n, sign, z=1.96) -%}
    case when {{ n }} is null or {{ n }} <= 0 or {{ p }} is null then null else
    round(least(100.0, greatest(0.0, 100.0 * (
        ({{ p }} + {{ z }} * {{ z }} / (2.0 * {{ n }}))
        {{ '-' if sign < 0 else '+' }} {{ z }} * sqrt(
            {{ p }} * (1.0 - {{ p }}) / {{ n }} + {{ z }} * {{ z }} / (4.0 * {{ n }} * {{ n }})
        )
    ) / (1.0 + {{ z }} * {{ z }} / {{ n }}))), 4)
    end
{%- endmacro %}

{#- Quantile q interpolated as kwantiel (quantile_cont) does, lo + (h - floor h) * (hi - lo), up to
    the last bit of a double (DuckDB fuses its multiply-add), computed from a frequency table
    instead of every observation: aggregate over a group's rows, one row per distinct
    value `waarde` with `t_m` = the number of observations <= that value (a running sum) and
    `totaal` = the group's observations. A holistic quantile keeps every observation in memory,
    which at national scale does not fit DuckDB's memory limit; a frequency table does. With
    h = (totaal - 1) * q, the observation of (0-based) rank k is the smallest value with t_m > k.
-#}
{% macro kwantiel_uit_frequenties(waarde, t_m, totaal, q) -%}
    {%- set h = '(' ~ totaal ~ ' - 1) * ' ~ q -%}
    {%- set laag = 'min(' ~ waarde ~ ') filter (where ' ~ t_m ~ ' > floor(' ~ h ~ '))' -%}
    {%- set hoog = 'min(' ~ waarde ~ ') filter (where ' ~ t_m ~ ' > ceil(' ~ h ~ '))' -%}
    ({{ laag }} + (max({{ h }}) - floor(max({{ h }}))) * ({{ hoog }} - {{ laag }}))
{%- endmacro %}
