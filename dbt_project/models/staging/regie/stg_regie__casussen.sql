-- One row per regie casus (opschaling to procesregie / doorbraakteam).
with

source as (

    select * from {{ source('regie', 'regie') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('casusnummer') }} as casusnummer,
        {{ clean_text('huishouden_pseudo') }} as huishouden_pseudo,

        -- codes
        {{ clean_code('ingebracht_door') }} as ingebracht_door,
        {{ clean_code('niveau') }} as niveau,
        -- empty resultaat = lopend
        coalesce({{ clean_code('resultaat') }}, 'lopend') as resultaat,

        -- dates
        cast(datum_opschaling as date) as datum_opschaling,
        cast(datum_afschaling as date) as datum_afschaling,

        -- lineage
        _bestand as bestand,
        _exportdatum as exportdatum

    from source

)

select * from renamed
