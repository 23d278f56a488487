-- One row per CBS wijk of the gemeente (reference list shipped with the product).
with

source as (

    select * from {{ source('reference', 'ref_wijken') }}

),

renamed as (

    select
        upper({{ clean_text('wijkcode') }}) as wijk_code,
        {{ clean_text('wijknaam') }} as wijk_naam,
        cast(inwoners as integer) as inwoners,
        cast(inwoners_0_17 as integer) as inwoners_0_17,
        cast(inwoners_0_22 as integer) as inwoners_0_22,
        {{ clean_text('bron') }} as bron

    from source

)

select * from renamed
