-- Vindbaarheid: weighted survey shares (pct_wist_waar, pct_weet_waar_terecht,
-- pct_toegang_bereikbaar) with Wilson intervals on the effective n, and the kanaalmix
-- (pct_kanaal) of Wmo meldingen. One row per indicator, periode, gebied, uitsplitsing where
-- data exists, plus gemeente skeleton rows for the fixed breakdowns (onderzoek).
with

antwoorden as (

    select * from {{ ref('stg_enquete__antwoorden') }}

),

meldingen as (

    select * from {{ ref('stg_wmo__meldingen') }}

),

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

gebieden as (

    select * from {{ ref('int_gebieden_samengesteld') }}

),

-- the onderzoeken that ask each question (the fixed breakdown)
vragen as (

    select 'pct_wist_waar' as indicator, 'wist_waar' as vraag, 'ceo_wmo' as onderzoek
    union all select 'pct_wist_waar', 'wist_waar', 'ceo_jeugd'
    union all select 'pct_weet_waar_terecht', 'weet_waar_terecht', 'bewonersonderzoek'
    union all select 'pct_toegang_bereikbaar', 'toegang_bereikbaar', 'bewonersonderzoek'

),

geldig as (

    -- answers 1-5 count; 8 (niet van toepassing) and 9 (weet niet) do not
    select
        v.indicator,
        a.meetperiode as periode,
        a.wijk_code,
        a.onderzoek,
        a.antwoord,
        a.weging
    from antwoorden as a
    inner join vragen as v
        on a.vraag = v.vraag
        and a.onderzoek = v.onderzoek
    where a.antwoord between 1 and 5

),

per_gebied as (

    select indicator, periode, wijk_code as gebied_code, onderzoek, antwoord, weging from geldig
    union all
    select indicator, periode, '{{ var("gemeente_code") }}', onderzoek, antwoord, weging from geldig

),

gewogen as (

    select
        indicator,
        periode,
        gebied_code,
        'onderzoek=' || onderzoek as uitsplitsing,
        sum(case when antwoord >= 4 then weging else 0 end) as gewicht_eens,
        sum(weging) as gewicht,
        sum(weging * weging) as gewicht_kwadraat,
        sum(case when antwoord >= 4 then 1 else 0 end) as respondenten_eens,
        count(*) as respondenten
    from per_gebied
    group by 1, 2, 3, 4

),

aandelen as (

    select
        *,
        case when gewicht > 0 then gewicht_eens / gewicht end as p,
        case when gewicht_kwadraat > 0 then gewicht * gewicht / gewicht_kwadraat end as n_effectief
    from gewogen

),

enquete_cellen as (

    select
        {{ indicator_cel('indicator', uitsplitsing='uitsplitsing', waarde='100.0 * p', teller='respondenten_eens', noemer='respondenten',
                         ci_laag=wilson_grens('p', 'n_effectief', -1),
                         ci_hoog=wilson_grens('p', 'n_effectief', 1)) }}
    from aandelen

),

enquete_skelet as (

    select
        {{ indicator_cel('v.indicator', periode='p.periode', gebied_code="'" ~ var('gemeente_code') ~ "'",
                         uitsplitsing="'onderzoek=' || v.onderzoek", is_skelet='true') }}
    from vragen as v
    cross join perioden as p

),

-- kanaalmix: every melding of the area is in the noemer, so the full grid is built here
melding_per_gebied as (

    select {{ halfjaar_van('datum_melding') }} as periode, wijk_code as gebied_code, kanaal
    from meldingen where datum_melding is not null
    union all
    select {{ halfjaar_van('datum_melding') }}, '{{ var("gemeente_code") }}', kanaal
    from meldingen where datum_melding is not null

),

kanaal_totaal as (

    select periode, gebied_code, count(*) as meldingen
    from melding_per_gebied
    group by 1, 2

),

kanaal_telling as (

    select periode, gebied_code, kanaal, count(*) as meldingen
    from melding_per_gebied
    where kanaal is not null
    group by 1, 2, 3

),

kanaal_sleutels as (

    -- every kanaal that occurs at gemeente level in the period, for every area
    select k.periode, k.kanaal, g.gebied_code
    from kanaal_telling as k
    cross join gebieden as g
    where k.gebied_code = '{{ var("gemeente_code") }}'

),

kanaal_cellen as (

    select
        {{ indicator_cel("'pct_kanaal'", periode='s.periode', gebied_code='s.gebied_code',
                         uitsplitsing="'kanaal=' || s.kanaal",
                         waarde=pct('coalesce(k.meldingen, 0)', 't.meldingen'),
                         teller='coalesce(k.meldingen, 0)', noemer='coalesce(t.meldingen, 0)') }}
    from kanaal_sleutels as s
    left join kanaal_telling as k
        on s.periode = k.periode and s.gebied_code = k.gebied_code and s.kanaal = k.kanaal
    left join kanaal_totaal as t
        on s.periode = t.periode and s.gebied_code = t.gebied_code

),

final as (

    select * from enquete_cellen
    union all
    select * from enquete_skelet
    union all
    select * from kanaal_cellen

)

select * from final
