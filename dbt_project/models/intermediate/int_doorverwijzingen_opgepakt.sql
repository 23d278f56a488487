-- One row per referral (a Wmo melding or voorliggend contact with doorverwezen_naar), by its
-- own date, with the days until the receiving team's first record for the same household on
-- or after that date (within doorverwijzing_dagen, inclusive); null when never picked up.
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

verwijzingen as (

    select 'wmo' as van, meldingnummer as record_id, huishouden_pseudo, datum_melding as datum,
           doorverwezen_naar as naar
    from wmo
    where doorverwezen_naar is not null and datum_melding is not null
    union all
    select 'voorliggend', contactnummer, huishouden_pseudo, datum_contact, doorverwezen_naar
    from voorliggend
    where doorverwezen_naar is not null and datum_contact is not null

),

ontvangen as (

    -- the receiving record's start date per team (bwmo has no household column)
    select 'wmo' as team, meldingnummer as record_id, huishouden_pseudo, datum_melding as datum_start from wmo
    union all
    select 'jeugd', dossiernummer, huishouden_pseudo, datum_melding from jeugd
    union all
    select 'inkomen', aanvraagnummer, huishouden_pseudo, datum_aanvraag from inkomen
    union all
    select 'schuldhulp', aanmeldnummer, huishouden_pseudo, datum_aanmelding from schuldhulp
    union all
    select 'voorliggend', contactnummer, huishouden_pseudo, datum_contact from voorliggend

),

opgepakt as (

    select
        v.van,
        v.record_id,
        min(o.datum_start) as datum_opgepakt
    from verwijzingen as v
    inner join ontvangen as o
        on o.team = v.naar
        and o.huishouden_pseudo = v.huishouden_pseudo
        and o.datum_start >= v.datum
        and o.datum_start <= {{ plus_dagen('v.datum', var('doorverwijzing_dagen')) }}
        and not (o.team = v.van and o.record_id = v.record_id)
    group by 1, 2

),

final as (

    select
        v.van,
        v.record_id,
        v.huishouden_pseudo,
        v.datum,
        {{ halfjaar_van('v.datum') }} as periode,
        v.naar,
        o.datum_opgepakt,
        {{ dagen_tussen('v.datum', 'o.datum_opgepakt') }} as dagen_tot_opgepakt
    from verwijzingen as v
    left join opgepakt as o
        on v.van = o.van and v.record_id = o.record_id

)

select * from final
