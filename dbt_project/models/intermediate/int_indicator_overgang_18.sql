-- 18-/18+ overgangen: cohort_18 and the shares of that cohort (pct_toekomstplan_tijdig,
-- pct_verlengde_jeugdhulp, pct_vervolg_geregeld, pct_zorggat), by the half-year of the 18th
-- birthday and the wijk of the dossier that counts.
with

cohort as (

    select * from {{ ref('int_cohort_18_bepaald') }}

),

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

per_gebied as (

    select periode, wijk_code as gebied_code, is_toekomstplan_tijdig, is_verlengd, is_vervolg_geregeld,
           is_zorggat
    from cohort
    union all
    select periode, '{{ var("gemeente_code") }}', is_toekomstplan_tijdig, is_verlengd, is_vervolg_geregeld,
           is_zorggat
    from cohort

),

tellingen as (

    select
        periode,
        gebied_code,
        count(*) as cohort,
        sum(case when is_toekomstplan_tijdig then 1 else 0 end) as tijdig,
        sum(case when is_verlengd then 1 else 0 end) as verlengd,
        sum(case when is_vervolg_geregeld then 1 else 0 end) as geregeld,
        sum(case when is_zorggat then 1 else 0 end) as zorggat
    from per_gebied
    group by 1, 2

),

cellen as (

    select {{ indicator_cel("'cohort_18'", waarde='cohort') }} from tellingen
    union all
    select {{ indicator_cel("'pct_toekomstplan_tijdig'", waarde=pct('tijdig', 'cohort'), teller='tijdig',
                            noemer='cohort') }} from tellingen
    union all
    select {{ indicator_cel("'pct_verlengde_jeugdhulp'", waarde=pct('verlengd', 'cohort'), teller='verlengd',
                            noemer='cohort') }} from tellingen
    union all
    select {{ indicator_cel("'pct_vervolg_geregeld'", waarde=pct('geregeld', 'cohort'), teller='geregeld',
                            noemer='cohort') }} from tellingen
    union all
    select {{ indicator_cel("'pct_zorggat'", waarde=pct('zorggat', 'cohort'), teller='zorggat',
                            noemer='cohort') }} from tellingen

),

indicatoren as (

    select 'cohort_18' as indicator
    union all select 'pct_toekomstplan_tijdig'
    union all select 'pct_verlengde_jeugdhulp'
    union all select 'pct_vervolg_geregeld'
    union all select 'pct_zorggat'

),

skelet as (

    select {{ indicator_cel('i.indicator', periode='p.periode', gebied_code="'" ~ var('gemeente_code') ~ "'",
                            is_skelet='true') }}
    from indicatoren as i
    cross join perioden as p

),

final as (

    select * from cellen
    union all
    select * from skelet

)

select * from final
