-- One row per indicator, periode, gebied and uitsplitsing: the monitor's public figures, with
-- the privacy rules applied. verschuiving_pp_vorig / _basis are derived here from the
-- (already suppressed) pct_voorliggend so that a suppressed share is never recomputable.
with

onderdrukt as (

    select * from {{ ref('int_indicator_onderdrukt') }}

),

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

aandeel as (

    select o.*, p.vorige_periode
    from onderdrukt as o
    inner join perioden as p
        on o.periode = p.periode
    where o.indicator = 'pct_voorliggend'

),

verschuiving as (

    -- against the previous half-year: none for the first period
    select
        'verschuiving_pp_vorig' as indicator,
        a.periode,
        a.gebied_code,
        a.uitsplitsing,
        a.waarde - v.waarde as waarde,
        a.onderdrukt or v.onderdrukt as onderdrukt
    from aandeel as a
    inner join aandeel as v
        on v.periode = a.vorige_periode
        and v.gebied_code = a.gebied_code
        and v.uitsplitsing = a.uitsplitsing

    union all

    -- against the base period (0 for the base period itself)
    select
        'verschuiving_pp_basis',
        a.periode,
        a.gebied_code,
        a.uitsplitsing,
        a.waarde - b.waarde,
        coalesce(a.onderdrukt or b.onderdrukt, a.onderdrukt)
    from aandeel as a
    left join aandeel as b
        on b.periode = '{{ var("basisperiode") }}'
        and b.gebied_code = a.gebied_code
        and b.uitsplitsing = a.uitsplitsing

),

verschuiving_cellen as (

    select
        indicator,
        periode,
        gebied_code,
        uitsplitsing,
        case when not onderdrukt then waarde end as waarde,
        cast(null as double) as teller,
        cast(null as double) as noemer,
        cast(null as double) as ci_laag,
        cast(null as double) as ci_hoog,
        onderdrukt,
        case when onderdrukt
             then 'Afgeleid van een onderdrukt aandeel (pct_voorliggend)' end as reden_onderdrukt
    from verschuiving

),

final as (

    select
        indicator,
        periode,
        gebied_code,
        uitsplitsing,
        cast(waarde as double) as waarde,
        cast(teller as double) as teller,
        cast(noemer as double) as noemer,
        cast(ci_laag as double) as ci_laag,
        cast(ci_hoog as double) as ci_hoog,
        cast(onderdrukt as boolean) as onderdrukt,
        cast(reden_onderdrukt as {{ dbt.type_string() }}) as reden_onderdrukt
    from onderdrukt

    union all

    select * from verschuiving_cellen

)

select * from final
