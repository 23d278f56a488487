-- One row per household, half-year and team (wmo, jeugd, inkomen, schuldhulp, voorliggend)
-- where the household is known to that team in that half-year. Empty huishouden_pseudo is not
-- a household.
with

wmo as (

    select * from {{ ref('stg_wmo__meldingen') }}

),

jeugd as (

    select * from {{ ref('stg_jeugd__dossiers') }}

),

inkomen as (

    select * from {{ ref('stg_inkomen__aanvragen') }}

),

schuldhulp as (

    select * from {{ ref('stg_schuldhulp__aanmeldingen') }}

),

voorliggend as (

    select * from {{ ref('stg_voorliggend__contacten') }}

),

actief as (

    select * from {{ ref('int_ondersteuning_per_periode') }}

),

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

-- not materialized: each team's distinct below reads only its own sources (a materialized
-- union of all of them would be held in memory)
bekend as not materialized (

    -- wmo, jeugd: datum_melding in the period, or support / hulp active in it
    select {{ halfjaar_van('datum_melding') }} as periode, huishouden_pseudo, 'wmo' as team
    from wmo where datum_melding is not null
    union all
    select {{ halfjaar_van('datum_melding') }}, huishouden_pseudo, 'jeugd'
    from jeugd where datum_melding is not null
    union all
    select periode, huishouden_pseudo, team
    from actief
    union all
    -- inkomen: datum_aanvraag in the period
    select {{ halfjaar_van('datum_aanvraag') }}, huishouden_pseudo, 'inkomen'
    from inkomen where datum_aanvraag is not null
    union all
    -- schuldhulp: aanmelding <= period end and (no einde or einde >= period start)
    select p.periode, s.huishouden_pseudo, 'schuldhulp'
    from schuldhulp as s
    inner join perioden as p
        on s.datum_aanmelding <= p.einddatum
        and (s.datum_einde is null or s.datum_einde >= p.begindatum)
    union all
    -- voorliggend: datum_contact in the period
    select {{ halfjaar_van('datum_contact') }}, huishouden_pseudo, 'voorliggend'
    from voorliggend where datum_contact is not null

),

-- one distinct per team of bekend: a single distinct over all teams (45M rows at national
-- scale) does not spill within DuckDB's memory limit; per team it does (team is in the key)
final as (

    {% for team in ['wmo', 'jeugd', 'inkomen', 'schuldhulp', 'voorliggend'] %}
    select distinct
        b.periode,
        b.huishouden_pseudo,
        b.team
    from bekend as b
    inner join perioden as p
        on b.periode = p.periode
    where b.huishouden_pseudo is not null
      and b.team = '{{ team }}'
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
