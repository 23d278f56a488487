-- One row per gemeente-level indicator, periode and uitsplitsing of fct_indicator that has a
-- benchmark to show beside it. Our figures are half-year figures, and the published definitie
-- decides comparability ("in het halfjaar" vs "in het jaar"), so within each kind of benchmark:
-- the same half-year first; else the most recent earlier half-year; only where no half-year
-- figure exists at or before the period, the most recent earlier yearly figure, labelled
-- "(jaarcijfer)". Nederland (NL01) before peer groups before single peer gemeenten. No row
-- where no benchmark exists (the dashboard then shows the legal term or "geen landelijk cijfer").
with

indicator as (

    select * from {{ ref('fct_indicator') }}

),

benchmark as (

    select * from {{ ref('fct_benchmark') }}

),

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

gemeente_cijfers as (

    select distinct i.indicator, i.periode, i.uitsplitsing, p.einddatum
    from indicator as i
    inner join perioden as p
        on i.periode = p.periode
    where i.gebied_code = '{{ var("gemeente_code") }}'

),

benchmark_perioden as (

    select
        b.*,
        length(b.periode) = 4 as is_jaarcijfer,
        case
            when length(b.periode) = 4 then cast(b.periode || '-12-31' as date)
            when b.periode like '%-H1' then cast(substr(b.periode, 1, 4) || '-06-30' as date)
            else cast(substr(b.periode, 1, 4) || '-12-31' as date)
        end as benchmark_einddatum,
        case
            when length(b.periode) = 4 then b.periode || ' (jaarcijfer)'
            when b.periode like '%-H1' then '1e halfjaar ' || substr(b.periode, 1, 4)
            else '2e halfjaar ' || substr(b.periode, 1, 4)
        end as periode_label,
        case
            when b.gebied_code = 'NL01' then 'nederland'
            when b.gebied_code = '{{ var("gemeente_code") }}' or b.gebied_code like 'WK%' then 'eigen'
            when b.gebied_code like 'GM%' then 'gemeente'
            else 'peergroep'
        end as benchmark_soort
    from benchmark as b

),

kandidaten as (

    select
        g.indicator,
        g.periode,
        g.uitsplitsing,
        b.periode as benchmark_periode,
        b.gebied_code as benchmark_gebied_code,
        b.gebied_naam as benchmark_gebied_naam,
        b.benchmark_soort,
        b.waarde,
        b.status,
        b.periode = g.periode as is_zelfde_periode,
        b.is_jaarcijfer,
        b.gebied_naam || ', ' || b.periode_label
            || case when b.status is not null then ', ' || b.status else '' end as label,
        b.definitie,
        b.bron,
        b.tabel,
        row_number() over (
            partition by g.indicator, g.periode, g.uitsplitsing
            order by
                case b.benchmark_soort when 'nederland' then 1 when 'peergroep' then 2 else 3 end,
                -- a half-year figure (the same, else the latest earlier one) before any yearly
                -- figure, even one that ends later: only a half-year figure is comparable
                case when b.is_jaarcijfer then 1 else 0 end,
                b.benchmark_einddatum desc,
                b.gebied_code
        ) as rang
    from gemeente_cijfers as g
    inner join benchmark_perioden as b
        on b.indicator = g.indicator
        and b.uitsplitsing = g.uitsplitsing
        and b.benchmark_einddatum <= g.einddatum
        and b.benchmark_soort <> 'eigen'

),

final as (

    select
        indicator,
        periode,
        uitsplitsing,
        benchmark_periode,
        benchmark_gebied_code,
        benchmark_gebied_naam,
        benchmark_soort,
        waarde,
        status,
        is_zelfde_periode,
        is_jaarcijfer,
        label,
        definitie,
        bron,
        tabel
    from kandidaten
    where rang = 1

)

select * from final
