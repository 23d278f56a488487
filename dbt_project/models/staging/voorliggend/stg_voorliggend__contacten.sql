-- One row per contact registered in the voorliggend veld.
with

source as (

    select * from {{ source('voorliggend', 'voorliggend') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('contactnummer') }} as contactnummer,
        {{ clean_text('huishouden_pseudo') }} as huishouden_pseudo,

        -- area
        {{ clean_wijk('wijk_code') }} as wijk_code,

        -- codes
        {{ clean_code('organisatie') }} as organisatie,
        {{ clean_code('thema') }} as thema,
        {{ clean_code('doorverwezen_naar') }} as doorverwezen_naar,
        -- empty afgehandeld is not ja
        coalesce(cast(afgehandeld as boolean), false) as is_afgehandeld,

        -- dates
        cast(datum_contact as date) as datum_contact,

        -- lineage
        _bestand as bestand,
        _exportdatum as exportdatum

    from source

)

select * from renamed
