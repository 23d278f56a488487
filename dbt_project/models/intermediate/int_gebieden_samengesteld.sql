-- One row per area the monitor reports on: the gemeente, every wijk of the reference list,
-- and 'onbekend' (records without a known wijk).
with

wijken as (

    select * from {{ ref('stg_reference__wijken') }}

),

gemeente as (

    select
        '{{ var("gemeente_code") }}' as gebied_code,
        '{{ var("gemeente_naam", var("gemeente_code")) }}' as gebied_naam,
        'gemeente' as soort,
        sum(inwoners) as inwoners,
        sum(inwoners_0_22) as inwoners_0_22,
        max(case when lower(bron) like '%geschat%' then 1 else 0 end) = 1 as inwoners_geschat,
        0 as volgorde
    from wijken

),

wijk as (

    select
        wijk_code as gebied_code,
        wijk_naam as gebied_naam,
        'wijk' as soort,
        inwoners,
        inwoners_0_22,
        coalesce(lower(bron) like '%geschat%', false) as inwoners_geschat,
        1 as volgorde
    from wijken

),

onbekend as (

    select
        'onbekend' as gebied_code,
        'Wijk onbekend' as gebied_naam,
        'onbekend' as soort,
        cast(null as integer) as inwoners,
        cast(null as integer) as inwoners_0_22,
        false as inwoners_geschat,
        2 as volgorde

),

final as (

    select * from gemeente
    union all
    select * from wijk
    union all
    select * from onbekend

)

select * from final
