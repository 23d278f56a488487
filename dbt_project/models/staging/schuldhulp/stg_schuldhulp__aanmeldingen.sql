-- One row per aanmelding at the Budget Adviesbureau (schuldhulpverlening).
with

source as (

    select * from {{ source('schuldhulp', 'schuldhulp') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('aanmeldnummer') }} as aanmeldnummer,
        {{ clean_text('client_pseudo') }} as client_pseudo,
        {{ clean_text('huishouden_pseudo') }} as huishouden_pseudo,

        -- area
        {{ clean_wijk('wijk_code') }} as wijk_code,

        -- codes
        {{ clean_code('bron_aanmelding') }} as bron_aanmelding,
        {{ clean_code('traject') }} as traject,
        coalesce(cast(spoed as boolean), false) as is_spoed,

        -- dates
        cast(datum_aanmelding as date) as datum_aanmelding,
        cast(datum_eerste_gesprek as date) as datum_eerste_gesprek,
        cast(datum_plan_van_aanpak as date) as datum_plan_van_aanpak,
        cast(datum_einde as date) as datum_einde,

        -- lineage
        _bestand as bestand,
        _exportdatum as exportdatum

    from source

)

select * from renamed
