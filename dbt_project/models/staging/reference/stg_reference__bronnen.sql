-- One row per source (bron): how many export files were landed for it, and the first and last
-- export date.
with

source as (

    select * from {{ source('reference', 'bronnen') }}

),

renamed as (

    select
        {{ clean_code('bron') }} as bron,
        cast(bestanden as integer) as bestanden,
        cast(eerste_exportdatum as date) as eerste_exportdatum,
        cast(laatste_exportdatum as date) as laatste_exportdatum,
        cast(rijen as integer) as rijen,
        coalesce(cast(bestanden as integer), 0) > 0 as heeft_bestanden

    from source

)

select * from renamed
