-- Vraagpatroon: hulpvragen per domein (Wmo meldingen by hulpvraag_domein and datum_melding plus
-- voorliggend contacts by thema and datum_contact, answered or not), per area.
with

wmo as (

    select * from {{ ref('stg_wmo__meldingen') }}

),

voorliggend as (

    select * from {{ ref('stg_voorliggend__contacten') }}

),

vragen as (

    select {{ halfjaar_van('datum_melding') }} as periode, wijk_code, hulpvraag_domein as domein
    from wmo
    where datum_melding is not null and hulpvraag_domein is not null
    union all
    select {{ halfjaar_van('datum_contact') }}, wijk_code, thema
    from voorliggend
    where datum_contact is not null and thema is not null

),

per_gebied as (

    select periode, wijk_code as gebied_code, domein from vragen
    union all
    select periode, '{{ var("gemeente_code") }}', domein from vragen

),

final as (

    select {{ indicator_cel("'hulpvragen'", uitsplitsing="'domein=' || domein", waarde='count(*)') }}
    from per_gebied
    group by periode, gebied_code, domein

)

select * from final
