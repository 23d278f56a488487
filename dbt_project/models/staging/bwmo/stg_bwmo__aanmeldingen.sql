-- One row per aanmelding for beschermd wonen / maatschappelijke opvang (regional).
with

source as (

    select * from {{ source('bwmo', 'bwmo') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('aanmeldnummer') }} as aanmeldnummer,
        {{ clean_text('client_pseudo') }} as client_pseudo,

        -- codes
        upper({{ clean_text('herkomstgemeente') }}) as herkomstgemeente,
        {{ clean_code('voorziening') }} as voorziening,
        {{ clean_code('status') }} as status,

        -- dates
        cast(datum_aanmelding as date) as datum_aanmelding,
        cast(datum_indicatie as date) as datum_indicatie,
        cast(datum_plaatsing as date) as datum_plaatsing,
        cast(datum_uitstroom as date) as datum_uitstroom,

        -- lineage
        _bestand as bestand,
        _exportdatum as exportdatum

    from source

)

select * from renamed
