-- One row per respondent per question.
with

source as (

    select * from {{ source('enquete', 'enquete') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('respondent_id') }} as respondent_id,

        -- area
        {{ clean_wijk('wijk_code') }} as wijk_code,

        -- codes
        {{ clean_code('onderzoek') }} as onderzoek,
        upper({{ clean_text('meetperiode') }}) as meetperiode,
        {{ clean_text('leeftijdsklasse') }} as leeftijdsklasse,
        {{ clean_code('vraag') }} as vraag,
        cast({{ clean_text('antwoord') }} as integer) as antwoord,

        -- measures (an empty weight counts as 1)
        coalesce(cast(weging as double), 1.0) as weging,

        -- lineage
        _bestand as bestand,
        _exportdatum as exportdatum

    from source

)

select * from renamed
