-- Wachtlijsten en doorlooptijden per team and stap: wachtend, wachtend_langer_dan_termijn,
-- doorlooptijd_mediaan, doorlooptijd_p80, pct_binnen_termijn. Gemeente skeleton rows for all
-- six stages in every period (only stages whose source has export files).
with

stadia as (

    select * from {{ ref('int_stadia_per_periode') }}

),

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

bronnen as (

    select * from {{ ref('stg_reference__bronnen') }}

),

stapcodes as (

    select 'wmo' as team, 'melding_gesprek' as stap, true as heeft_termijn
    union all select 'wmo', 'aanvraag_besluit', true
    union all select 'jeugd', 'melding_besluit', true
    union all select 'inkomen', 'aanvraag_besluit', true
    union all select 'schuldhulp', 'aanmelding_eerste_gesprek', true
    union all select 'bwmo', 'indicatie_plaatsing', false

),

stappen as (

    -- a team whose source has no export files has no stages: absent, not zero
    select s.*
    from stapcodes as s
    inner join bronnen as b
        on s.team = b.bron
    where b.heeft_bestanden

),

-- per wijk and for the gemeente in one grouping (grouping sets), so the stages are read once per
-- aggregate instead of a union of both levels that DuckDB would hold in memory; bwmo stages carry
-- wijk 'onbekend', the gemeente row counts every record
tellingen as (

    select
        g.periode,
        {{ wijk_of_gemeente('g.wijk_code') }} as gebied_code,
        g.team,
        g.stap,
        'stap=' || g.stap || ';team=' || g.team as uitsplitsing,
        s.heeft_termijn,
        sum(case when g.is_open then 1 else 0 end) as wachtend,
        sum(case when g.is_open_over_termijn then 1 else 0 end) as wachtend_over_termijn,
        sum(case when g.is_beeindigd then 1 else 0 end) as beeindigd,
        sum(case when g.is_binnen_termijn then 1 else 0 end) as binnen_termijn
    from stadia as g
    inner join stappen as s
        on g.team = s.team and g.stap = s.stap
    group by grouping sets (
        (g.periode, g.wijk_code, g.team, g.stap, s.heeft_termijn),
        (g.periode, g.team, g.stap, s.heeft_termijn)
    )

),

-- durations as a frequency table per group (ended stages always have a duration), so the
-- median and p80 need one row per distinct number of days instead of every stage in memory
frequenties as (

    select
        g.periode,
        {{ wijk_of_gemeente('g.wijk_code') }} as gebied_code,
        'stap=' || g.stap || ';team=' || g.team as uitsplitsing,
        cast(g.doorlooptijd_dagen as double) as dagen,
        count(*) as stadia
    from stadia as g
    inner join stappen as s
        on g.team = s.team and g.stap = s.stap
    where g.is_beeindigd
    group by grouping sets (
        (g.periode, g.wijk_code, g.team, g.stap, g.doorlooptijd_dagen),
        (g.periode, g.team, g.stap, g.doorlooptijd_dagen)
    )

),

cumulatief as (

    select
        *,
        sum(stadia) over (partition by periode, gebied_code, uitsplitsing order by dagen) as t_m,
        sum(stadia) over (partition by periode, gebied_code, uitsplitsing) as totaal
    from frequenties

),

duren as (

    select
        periode,
        gebied_code,
        uitsplitsing,
        sum(stadia) as aantal,
        {{ kwantiel_uit_frequenties('dagen', 't_m', 'totaal', 0.5) }} as mediaan,
        {{ kwantiel_uit_frequenties('dagen', 't_m', 'totaal', 0.8) }} as p80
    from cumulatief
    group by 1, 2, 3

),

cellen as (

    select {{ indicator_cel("'wachtend'", uitsplitsing='uitsplitsing', waarde='wachtend') }}
    from tellingen

    union all

    select {{ indicator_cel("'wachtend_langer_dan_termijn'", uitsplitsing='uitsplitsing',
                            waarde='wachtend_over_termijn') }}
    from tellingen
    where heeft_termijn

    union all

    select {{ indicator_cel("'pct_binnen_termijn'", uitsplitsing='uitsplitsing',
                            waarde=pct('binnen_termijn', 'beeindigd + wachtend_over_termijn'),
                            teller='binnen_termijn', noemer='beeindigd + wachtend_over_termijn') }}
    from tellingen
    where heeft_termijn

    union all

    select {{ indicator_cel("'doorlooptijd_mediaan'", uitsplitsing='uitsplitsing', waarde='mediaan',
                            aantal='aantal') }}
    from duren

    union all

    select {{ indicator_cel("'doorlooptijd_p80'", uitsplitsing='uitsplitsing', waarde='p80',
                            aantal='aantal') }}
    from duren

),

indicatoren as (

    select 'wachtend' as indicator, false as alleen_met_termijn
    union all select 'wachtend_langer_dan_termijn', true
    union all select 'pct_binnen_termijn', true
    union all select 'doorlooptijd_mediaan', false
    union all select 'doorlooptijd_p80', false

),

skelet as (

    select
        {{ indicator_cel('i.indicator', periode='p.periode', gebied_code="'" ~ var('gemeente_code') ~ "'",
                         uitsplitsing="'stap=' || s.stap || ';team=' || s.team", is_skelet='true') }}
    from indicatoren as i
    cross join stappen as s
    cross join perioden as p
    where s.heeft_termijn or not i.alleen_met_termijn

),

final as (

    select * from cellen
    union all
    select * from skelet

)

select * from final
