-- One row per published national or peer figure (reference file shipped with the product).
with

source as (

    select * from {{ source('reference', 'ref_benchmarks') }}

),

renamed as (

    select
        {{ clean_code('indicator') }} as indicator,
        upper({{ clean_text('periode') }}) as periode,
        upper({{ clean_text('gebied_code') }}) as gebied_code,
        {{ clean_text('gebied_naam') }} as gebied_naam,
        cast(waarde as double) as waarde,
        {{ clean_code('status') }} as status,
        {{ clean_text('definitie') }} as definitie,
        {{ clean_text('bron') }} as bron,
        {{ clean_text('tabel') }} as tabel

    from source

)

select * from renamed
