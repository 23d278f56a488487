-- One row per record per waiting stage (team, stap): start, end, legal term, duration.
-- A stage exists when its start date is set; the "left out" rules of the spec apply here.
{%- set termijnen = var('termijnen') %}
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

bwmo as (

    select * from {{ ref('stg_bwmo__aanmeldingen') }}

),

stadia as (

    -- wmo melding -> gesprek; left out: no gesprek and uitkomst geen or doorverwezen
    select
        'wmo' as team, 'melding_gesprek' as stap, meldingnummer as record_id, wijk_code,
        datum_melding as datum_start, datum_gesprek as datum_eind, false as is_spoed,
        {{ termijnen['wmo_melding_gesprek'] }} as termijn_dagen
    from wmo
    where datum_melding is not null
      and not (datum_gesprek is null and coalesce(uitkomst, '') in ('geen', 'doorverwezen'))

    union all

    -- wmo aanvraag -> besluit; left out: besluit ingetrokken
    select
        'wmo', 'aanvraag_besluit', meldingnummer, wijk_code,
        datum_aanvraag, datum_besluit, false,
        {{ termijnen['wmo_aanvraag_besluit'] }}
    from wmo
    where datum_aanvraag is not null
      and coalesce(besluit, '') <> 'ingetrokken'

    union all

    -- jeugd melding -> besluit; only verwijzer gemeente; left out: no besluit and uitkomst geen
    select
        'jeugd', 'melding_besluit', dossiernummer, wijk_code,
        datum_melding, datum_besluit, false,
        {{ termijnen['jeugd_melding_besluit'] }}
    from jeugd
    where datum_melding is not null
      and coalesce(verwijzer, '') = 'gemeente'
      and not (datum_besluit is null and coalesce(uitkomst, '') = 'geen')

    union all

    -- inkomen aanvraag -> besluit; left out: besluit ingetrokken
    select
        'inkomen', 'aanvraag_besluit', aanvraagnummer, wijk_code,
        datum_aanvraag, datum_besluit, false,
        {{ termijnen['inkomen_aanvraag_besluit'] }}
    from inkomen
    where datum_aanvraag is not null
      and coalesce(besluit, '') <> 'ingetrokken'

    union all

    -- schuldhulp aanmelding -> eerste gesprek; spoed: werkdagen instead of days
    select
        'schuldhulp', 'aanmelding_eerste_gesprek', aanmeldnummer, wijk_code,
        datum_aanmelding, datum_eerste_gesprek, is_spoed,
        {{ termijnen['schuldhulp_aanmelding_eerste_gesprek'] }}
    from schuldhulp
    where datum_aanmelding is not null

    union all

    -- bwmo indicatie -> plaatsing (a waiting list, no term); no wijk column: onbekend
    select
        'bwmo', 'indicatie_plaatsing', aanmeldnummer, 'onbekend',
        datum_indicatie, datum_plaatsing, false,
        cast(null as integer)
    from bwmo
    where datum_indicatie is not null
      and coalesce(status, '') <> 'ingetrokken'

),

final as (

    select
        team,
        stap,
        record_id,
        wijk_code,
        datum_start,
        datum_eind,
        is_spoed,
        case when is_spoed then null else termijn_dagen end as termijn_dagen,
        case when is_spoed then {{ termijnen['schuldhulp_spoed_werkdagen'] }} end as termijn_werkdagen,
        {{ dagen_tussen('datum_start', 'datum_eind') }} as doorlooptijd_dagen,
        case when is_spoed and datum_eind is not null
             then {{ werkdagen_na('datum_start', 'datum_eind') }} end as doorlooptijd_werkdagen
    from stadia

)

select * from final
