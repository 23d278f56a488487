-- The grid with the privacy rules applied: primary suppression per the indicator's privacyregel
-- (thresholds min_telling, min_noemer from vars) and secondary suppression below the gemeente.
{%- set min_telling = var('min_telling') %}
{%- set min_noemer = var('min_noemer') %}
with

raster as (

    select * from {{ ref('int_indicator_raster') }}

),

primair as (

    select
        *,
        gebied_code <> '{{ var("gemeente_code") }}' as is_onder_gemeente,
        case
            when privacyregel = 'telling' and waarde >= 1 and waarde < {{ min_telling }}
                then 'Aantal van 1 tot en met {{ min_telling - 1 }}: niet getoond om herleidbaarheid te voorkomen'
            when privacyregel = 'teller' and teller >= 1 and teller < {{ min_telling }}
                then 'Teller van 1 tot en met {{ min_telling - 1 }}: niet getoond om herleidbaarheid te voorkomen'
            when privacyregel = 'noemer' and coalesce(noemer, 0) < {{ min_noemer }}
                then 'Noemer kleiner dan {{ min_noemer }}: te weinig waarnemingen'
            when privacyregel = 'aantal' and coalesce(aantal, 0) < {{ min_noemer }}
                then 'Minder dan {{ min_noemer }} waarnemingen: mediaan of percentiel niet betrouwbaar'
        end as reden_primair
    from raster

),

-- secondary suppression: where exactly one area below the gemeente is suppressed, also the
-- unsuppressed one with the smallest noemer (counts: smallest value; ties: lowest code)
gerangschikt as (

    select
        *,
        sum(case when is_onder_gemeente and reden_primair is not null then 1 else 0 end) over (
            partition by indicator, periode, uitsplitsing
        ) as onderdrukt_onder_gemeente,
        row_number() over (
            partition by indicator, periode, uitsplitsing, is_onder_gemeente, (reden_primair is null)
            order by case when privacyregel = 'telling' then waarde else noemer end, gebied_code
        ) as rang_kleinste
    from primair

),

beoordeeld as (

    select
        *,
        coalesce(
            reden_primair,
            case when privacyregel in ('telling', 'teller', 'noemer')
                      and is_onder_gemeente
                      and onderdrukt_onder_gemeente = 1
                      and reden_primair is null
                      and rang_kleinste = 1
                 then 'Secundaire onderdrukking: anders is een onderdrukte wijk terug te rekenen uit het gemeentecijfer'
            end
        ) as reden_onderdrukt
    from gerangschikt

),

final as (

    select
        indicator,
        periode,
        gebied_code,
        uitsplitsing,
        case when reden_onderdrukt is null then waarde end as waarde,
        case when reden_onderdrukt is null then teller end as teller,
        case when reden_onderdrukt is null then noemer end as noemer,
        case when reden_onderdrukt is null then ci_laag end as ci_laag,
        case when reden_onderdrukt is null then ci_hoog end as ci_hoog,
        reden_onderdrukt is not null as onderdrukt,
        reden_onderdrukt,
        reden_primair is null and reden_onderdrukt is not null as is_secundair,
        aantal,
        privacyregel
    from beoordeeld

)

select * from final
