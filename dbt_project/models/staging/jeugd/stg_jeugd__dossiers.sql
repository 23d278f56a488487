-- One row per jeugdhulp dossier (latest export wins, applied by landing).
with

source as (

    select * from {{ source('jeugd', 'jeugd') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('dossiernummer') }} as dossiernummer,
        {{ clean_text('client_pseudo') }} as client_pseudo,
        {{ clean_text('huishouden_pseudo') }} as huishouden_pseudo,

        -- area
        {{ clean_wijk('wijk_code') }} as wijk_code,

        -- codes
        {{ clean_code('verwijzer') }} as verwijzer,
        {{ clean_code('uitkomst') }} as uitkomst,
        {{ clean_code('reden_einde') }} as reden_einde,
        {{ clean_code('vervolg_na_18') }} as vervolg_na_18,
        cast(verlengde_jeugdhulp as boolean) as is_verlengde_jeugdhulp,

        -- dates (geboortemaand: the first day of the birth month)
        cast(geboortemaand as date) as geboortemaand,
        cast(datum_melding as date) as datum_melding,
        cast(datum_besluit as date) as datum_besluit,
        cast(datum_start_hulp as date) as datum_start_hulp,
        cast(datum_einde_hulp as date) as datum_einde_hulp,
        cast(datum_toekomstplan as date) as datum_toekomstplan,

        -- lineage
        _bestand as bestand,
        _exportdatum as exportdatum

    from source

)

select * from renamed
