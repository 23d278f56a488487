-- One row per aanvraag at Team Inkomensondersteuning.
with

source as (

    select * from {{ source('inkomen', 'inkomen') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('aanvraagnummer') }} as aanvraagnummer,
        {{ clean_text('client_pseudo') }} as client_pseudo,
        {{ clean_text('huishouden_pseudo') }} as huishouden_pseudo,

        -- area
        {{ clean_wijk('wijk_code') }} as wijk_code,

        -- codes
        {{ clean_code('regeling') }} as regeling,
        {{ clean_code('besluit') }} as besluit,

        -- dates
        cast(datum_aanvraag as date) as datum_aanvraag,
        cast(datum_besluit as date) as datum_besluit,

        -- measures
        cast(bedrag_per_maand as double) as bedrag_per_maand,

        -- lineage
        _bestand as bestand,
        _exportdatum as exportdatum

    from source

)

select * from renamed
