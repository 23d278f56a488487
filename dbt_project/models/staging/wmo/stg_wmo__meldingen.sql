-- One row per Wmo melding (latest export wins, applied by landing).
with

source as (

    select * from {{ source('wmo', 'wmo') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('meldingnummer') }} as meldingnummer,
        {{ clean_text('client_pseudo') }} as client_pseudo,
        {{ clean_text('huishouden_pseudo') }} as huishouden_pseudo,

        -- area
        {{ clean_wijk('wijk_code') }} as wijk_code,

        -- codes
        {{ clean_code('kanaal') }} as kanaal,
        {{ clean_code('besluit') }} as besluit,
        {{ clean_code('uitkomst') }} as uitkomst,
        {{ clean_code('voorziening') }} as voorziening,
        {{ clean_code('hulpvraag_domein') }} as hulpvraag_domein,
        {{ clean_code('doorverwezen_naar') }} as doorverwezen_naar,

        -- dates
        cast(datum_melding as date) as datum_melding,
        cast(datum_gesprek as date) as datum_gesprek,
        cast(datum_aanvraag as date) as datum_aanvraag,
        cast(datum_besluit as date) as datum_besluit,
        cast(datum_start_ondersteuning as date) as datum_start_ondersteuning,
        cast(datum_einde_ondersteuning as date) as datum_einde_ondersteuning,

        -- measures
        cast(geboortejaar as integer) as geboortejaar,

        -- lineage
        _bestand as bestand,
        _exportdatum as exportdatum

    from source

)

select * from renamed
