-- One row per published national or peer benchmark figure (indicator, periode, gebied_code,
-- uitsplitsing), from the reference file.
with

benchmarks as (

    select * from {{ ref('stg_reference__benchmarks') }}

),

final as (

    select
        indicator,
        periode,
        gebied_code,
        gebied_naam,
        -- the reference file has no breakdown column: CEO figures belong to their onderzoek
        case
            when lower(tabel) like 'ceo wmo%' then 'onderzoek=ceo_wmo'
            when lower(tabel) like 'ceo jeugd%' then 'onderzoek=ceo_jeugd'
            else ''
        end as uitsplitsing,
        waarde,
        status,
        definitie,
        bron,
        tabel
    from benchmarks

)

select * from final
