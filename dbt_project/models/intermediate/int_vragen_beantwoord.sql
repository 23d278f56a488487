-- One row per answered question (Wmo melding with an uitkomst, jeugd dossier with an uitkomst,
-- voorliggend contact with afgehandeld = ja), by the half-year of its own date, with whether
-- it was answered without a maatwerkvoorziening.
with

wmo as (

    select * from {{ ref('stg_wmo__meldingen') }}

),

jeugd as (

    select * from {{ ref('stg_jeugd__dossiers') }}

),

voorliggend as (

    select * from {{ ref('stg_voorliggend__contacten') }}

),

beantwoord as (

    -- wmo: doorverwezen, geen and empty are left out
    select
        'wmo' as bron, meldingnummer as record_id, datum_melding as datum, wijk_code, uitkomst,
        uitkomst in ('eigen_kracht', 'sociaal_netwerk', 'algemene_voorziening') as is_voorliggend
    from wmo
    where uitkomst in ('eigen_kracht', 'sociaal_netwerk', 'algemene_voorziening', 'maatwerkvoorziening')
      and datum_melding is not null

    union all

    -- jeugd: every verwijzer; geen and empty are left out
    select
        'jeugd', dossiernummer, datum_melding, wijk_code, uitkomst,
        uitkomst in ('voorliggend_veld', 'lokaal_team')
    from jeugd
    where uitkomst in ('voorliggend_veld', 'lokaal_team', {{ jeugdzorg_uitkomsten() }})
      and datum_melding is not null

    union all

    -- voorliggend: only contacts answered there (afgehandeld = ja)
    select
        'voorliggend', contactnummer, datum_contact, wijk_code, 'afgehandeld',
        true
    from voorliggend
    where is_afgehandeld
      and datum_contact is not null

),

final as (

    select
        bron,
        record_id,
        datum,
        {{ halfjaar_van('datum') }} as periode,
        wijk_code,
        uitkomst,
        is_voorliggend
    from beantwoord

)

select * from final
