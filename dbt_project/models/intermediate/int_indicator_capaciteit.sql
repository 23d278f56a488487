-- Capaciteit (gemeente only, per team): bezettingsgraad, verzuim_pct, wachtend_per_fte.
with

maanden as (

    select * from {{ ref('stg_capaciteit__teammaanden') }}

),

stadia as (

    select * from {{ ref('int_stadia_per_periode') }}

),

bronnen as (

    select * from {{ ref('stg_reference__bronnen') }}

),

per_maand as (

    select
        {{ halfjaar_van('maand') }} as periode,
        team,
        maand,
        fte_formatie,
        fte_bezet,
        verzuim_pct,
        row_number() over (partition by team, {{ halfjaar_van('maand') }} order by maand desc) as rang_laatste
    from maanden

),

per_team as (

    select
        periode,
        team,
        'team=' || team as uitsplitsing,
        sum(fte_bezet) as fte_bezet,
        sum(fte_formatie) as fte_formatie,
        avg(verzuim_pct) as verzuim_pct,
        -- fte_bezet of the period's last month (the latest month present in the period)
        max(case when rang_laatste = 1 then fte_bezet end) as fte_bezet_laatste_maand
    from per_maand
    group by 1, 2, 3

),

wachtend as (

    select periode, team, sum(case when is_open then 1 else 0 end) as wachtend
    from stadia
    group by 1, 2

),

teams_met_stadia as (

    -- the teams with waiting stages whose source has export files
    select bron as team
    from bronnen
    where heeft_bestanden
      and bron in ('wmo', 'jeugd', 'inkomen', 'schuldhulp', 'bwmo')

),

cellen as (

    select {{ indicator_cel("'bezettingsgraad'", gebied_code="'" ~ var('gemeente_code') ~ "'",
                            uitsplitsing='uitsplitsing', waarde=pct('fte_bezet', 'fte_formatie'),
                            teller='fte_bezet', noemer='fte_formatie') }}
    from per_team

    union all

    select {{ indicator_cel("'verzuim_pct'", gebied_code="'" ~ var('gemeente_code') ~ "'",
                            uitsplitsing='uitsplitsing', waarde='verzuim_pct') }}
    from per_team

    union all

    select {{ indicator_cel("'wachtend_per_fte'", periode='t.periode',
                            gebied_code="'" ~ var('gemeente_code') ~ "'", uitsplitsing='t.uitsplitsing',
                            waarde=pct('coalesce(w.wachtend, 0)', 't.fte_bezet_laatste_maand', factor=1.0),
                            teller='coalesce(w.wachtend, 0)', noemer='t.fte_bezet_laatste_maand') }}
    from per_team as t
    inner join teams_met_stadia as m
        on t.team = m.team
    left join wachtend as w
        on t.periode = w.periode and t.team = w.team

)

select * from cellen
