-- One row per indicator code: family, Dutch label, unit, definition, direction and the privacy
-- rule and area scope that fct_indicator applies to it (product metadata from the seed).
with

indicatoren as (

    select * from {{ ref('indicatoren') }}

),

final as (

    select
        indicator,
        familie,
        label_nl,
        eenheid,
        definitie,
        richting,
        privacyregel,
        gebieden,
        uitsplitsing_sleutels,
        cast(uitsplitsing_vast as boolean) as uitsplitsing_vast,
        cast(volgorde as integer) as volgorde
    from indicatoren

)

select * from final
