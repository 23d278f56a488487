-- Verschuiving naar voorliggend veld: pct_voorliggend (share of answered questions answered
-- without maatwerk), maatwerk_per_1000 and pct_jeugd_met_jeugdhulp (per inhabitant, full grid
-- over the gemeente and its wijken; no onbekend row). verschuiving_pp_* are derived from the
-- suppressed pct_voorliggend in fct_indicator.
with

vragen as (

    select * from {{ ref('int_vragen_beantwoord') }}

),

actief as (

    select * from {{ ref('int_ondersteuning_per_periode') }}

),

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

gebieden as (

    select * from {{ ref('int_gebieden_samengesteld') }}

),

vraag_per_gebied as (

    select periode, wijk_code as gebied_code, is_voorliggend from vragen
    union all
    select periode, '{{ var("gemeente_code") }}', is_voorliggend from vragen

),

voorliggend_cellen as (

    select
        {{ indicator_cel("'pct_voorliggend'",
                         waarde=pct('sum(case when is_voorliggend then 1 else 0 end)', 'count(*)'),
                         teller='sum(case when is_voorliggend then 1 else 0 end)', noemer='count(*)') }}
    from vraag_per_gebied
    group by periode, gebied_code

),

voorliggend_skelet as (

    select
        {{ indicator_cel("'pct_voorliggend'", gebied_code="'" ~ var('gemeente_code') ~ "'", is_skelet='true') }}
    from perioden

),

-- per-inhabitant figures: distinct persons per area and period
zorg as (

    select
        a.periode,
        a.team,
        a.wijk_code,
        a.persoon
    from actief as a
    inner join perioden as p
        on a.periode = p.periode
    where a.is_zorg
      and (
          a.team = 'wmo'
          -- younger than 23 on the period's first day: period start < birth + 23 years
          or (a.team = 'jeugd'
              and (a.geboortemaand is null or p.begindatum < {{ plus_maanden('a.geboortemaand', 276) }}))
      )

),

personen as (

    -- distinct persons per wijk and, across wijken, per gemeente in one pass: a person who moved
    -- counts once for the gemeente. One grouped distinct instead of a union of both levels,
    -- which DuckDB cannot spill within its memory limit at national scale.
    select
        periode,
        team,
        {{ wijk_of_gemeente('wijk_code') }} as gebied_code,
        count(distinct persoon) as personen
    from zorg
    group by grouping sets ((periode, team, wijk_code), (periode, team))

),

inwoner_raster as (

    select
        p.periode,
        g.gebied_code,
        g.inwoners,
        g.inwoners_0_22
    from perioden as p
    cross join gebieden as g
    where g.soort in ('gemeente', 'wijk')

),

per_inwoner_cellen as (

    select
        {{ indicator_cel("'maatwerk_per_1000'", periode='r.periode', gebied_code='r.gebied_code',
                         waarde=pct('coalesce(m.personen, 0)', 'r.inwoners', factor=1000.0),
                         teller='coalesce(m.personen, 0)', noemer='r.inwoners') }}
    from inwoner_raster as r
    left join personen as m
        on r.periode = m.periode and r.gebied_code = m.gebied_code and m.team = 'wmo'

    union all

    select
        {{ indicator_cel("'pct_jeugd_met_jeugdhulp'", periode='r.periode', gebied_code='r.gebied_code',
                         waarde=pct('coalesce(j.personen, 0)', 'r.inwoners_0_22'),
                         teller='coalesce(j.personen, 0)', noemer='r.inwoners_0_22') }}
    from inwoner_raster as r
    left join personen as j
        on r.periode = j.periode and r.gebied_code = j.gebied_code and j.team = 'jeugd'

),

final as (

    select * from voorliggend_cellen
    union all
    select * from voorliggend_skelet
    union all
    select * from per_inwoner_cellen

)

select * from final
