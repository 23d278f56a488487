-- One row per half-year of the monitor, from the first to the last present in the records.
-- volledige_historie: the period starts on or after the half-year of the earliest export date
-- of the sources. Before it the figures rest only on records still present in later exports
-- (long-running ones), so they are partial: shown only on request, never by default.
with

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

bronnen as (

    select * from {{ ref('stg_reference__bronnen') }}

),

eerste_export as (

    select min(eerste_exportdatum) as eerste_exportdatum
    from bronnen
    where heeft_bestanden

),

final as (

    select
        p.periode,
        p.jaar,
        p.halfjaar,
        p.begindatum,
        p.einddatum,
        p.label,
        -- no source with export files: no export date to compare with, nothing marked
        coalesce(
            p.periode_index >= {{ halfjaar_index('e.eerste_exportdatum') }},
            true
        ) as volledige_historie
    from perioden as p
    cross join eerste_export as e

)

select * from final
