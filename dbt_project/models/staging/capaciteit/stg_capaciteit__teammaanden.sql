-- One row per team per month.
with

source as (

    select * from {{ source('capaciteit', 'capaciteit') }}

),

renamed as (

    select
        -- ids
        {{ clean_code('team') }} as team,
        cast(maand as date) as maand,

        -- measures
        cast(fte_formatie as double) as fte_formatie,
        cast(fte_bezet as double) as fte_bezet,
        cast(verzuim_pct as double) as verzuim_pct,

        -- lineage
        _bestand as bestand,
        _exportdatum as exportdatum

    from source

)

select * from renamed
