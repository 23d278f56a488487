-- Integraliteit (gemeente only): huishoudens_multi_team, pct_huishoudens_multi_team,
-- opschalingen (niveau, resultaat), doorverwijzingen and doorverwijzing_dagen_mediaan (van, naar).
with

huishoudens as (

    select * from {{ ref('int_huishoudens_teams_per_periode') }}

),

regie as (

    select * from {{ ref('stg_regie__casussen') }}

),

verwijzingen as (

    select * from {{ ref('int_doorverwijzingen_opgepakt') }}

),

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

bronnen as (

    select * from {{ ref('stg_reference__bronnen') }}

),

teams_per_huishouden as (

    select periode, huishouden_pseudo, count(distinct team) as teams
    from huishoudens
    group by 1, 2

),

multi as (

    select
        p.periode,
        count(t.huishouden_pseudo) as bekend,
        sum(case when t.teams >= 2 then 1 else 0 end) as multi_team
    from perioden as p
    left join teams_per_huishouden as t
        on p.periode = t.periode
    group by 1

),

regie_per_periode as (

    select
        {{ halfjaar_van('datum_opschaling') }} as periode,
        'niveau=' || coalesce(niveau, 'onbekend') || ';resultaat=' || resultaat as uitsplitsing,
        count(*) as opschalingen
    from regie
    where datum_opschaling is not null
    group by 1, 2

),

verwijzing_per_periode as (

    select
        v.periode,
        v.naar,
        'naar=' || v.naar || ';van=' || v.van as uitsplitsing,
        count(*) as verwijzingen,
        count(v.dagen_tot_opgepakt) as opgepakt,
        {{ kwantiel('v.dagen_tot_opgepakt', 0.5) }} as mediaan
    from verwijzingen as v
    group by 1, 2, 3

),

gm as (

    select '{{ var("gemeente_code") }}' as gebied_code

),

final as (

    select {{ indicator_cel("'huishoudens_multi_team'", gebied_code='gm.gebied_code',
                            waarde='coalesce(multi_team, 0)') }}
    from multi cross join gm

    union all

    select {{ indicator_cel("'pct_huishoudens_multi_team'", gebied_code='gm.gebied_code',
                            waarde=pct('coalesce(multi_team, 0)', 'bekend'),
                            teller='coalesce(multi_team, 0)', noemer='bekend') }}
    from multi cross join gm

    union all

    select {{ indicator_cel("'opschalingen'", gebied_code='gm.gebied_code', uitsplitsing='uitsplitsing',
                            waarde='opschalingen') }}
    from regie_per_periode cross join gm

    union all

    select {{ indicator_cel("'doorverwijzingen'", gebied_code='gm.gebied_code', uitsplitsing='uitsplitsing',
                            waarde='verwijzingen') }}
    from verwijzing_per_periode cross join gm

    union all

    -- the median needs the receiving team's records: only where its source has export files
    select {{ indicator_cel("'doorverwijzing_dagen_mediaan'", periode='v.periode', gebied_code='gm.gebied_code',
                            uitsplitsing='v.uitsplitsing', waarde='v.mediaan', aantal='v.opgepakt') }}
    from verwijzing_per_periode as v
    cross join gm
    left join bronnen as b
        on v.naar = b.bron
    where coalesce(b.heeft_bestanden, true)

)

select * from final
