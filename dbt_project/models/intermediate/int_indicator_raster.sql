-- The full grid of fct_indicator before suppression: for each indicator, every period, every
-- breakdown value that occurs at gemeente level in that period (or is fixed: stap, onderzoek),
-- and every area of the indicator's scope (gemeente; wijken; onbekend). An empty cell is a row:
-- a count shows 0, a ratio has teller = noemer = 0, a median has no value and aantal 0.
-- Indicators needing a source without export files are absent.
with

cellen as (

    {% for family in ['vindbaarheid', 'voorliggend_veld', 'wachtlijsten', 'overgang_18', 'capaciteit',
                      'vraagpatroon', 'integraliteit'] -%}
    select * from {{ ref('int_indicator_' ~ family) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

indicatoren as (

    select * from {{ ref('indicatoren') }}

),

indicator_bronnen as (

    select * from {{ ref('indicator_bronnen') }}

),

bronnen as (

    select * from {{ ref('stg_reference__bronnen') }}

),

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

gebieden as (

    select * from {{ ref('int_gebieden_samengesteld') }}

),

afwezig as (

    -- an indicator is absent when any source it needs has no export files
    select distinct ib.indicator
    from indicator_bronnen as ib
    left join bronnen as b
        on ib.bron = b.bron
    where not coalesce(b.heeft_bestanden, false)

),

sleutels as (

    select distinct c.indicator, c.periode, c.uitsplitsing
    from cellen as c
    inner join perioden as p
        on c.periode = p.periode
    where c.gebied_code = '{{ var("gemeente_code") }}'
      and c.indicator not in (select indicator from afwezig)

),

raster as (

    select
        s.indicator,
        s.periode,
        g.gebied_code,
        s.uitsplitsing,
        i.privacyregel
    from sleutels as s
    inner join indicatoren as i
        on s.indicator = i.indicator
    inner join gebieden as g
        on g.soort = 'gemeente'
        or (i.gebieden = 'alle' and g.soort in ('wijk', 'onbekend'))
        or (i.gebieden = 'wijken' and g.soort = 'wijk')

),

gegevens as (

    select * from cellen where not is_skelet

),

final as (

    select
        r.indicator,
        r.periode,
        r.gebied_code,
        r.uitsplitsing,
        case when d.indicator is not null then d.waarde
             when r.privacyregel = 'telling' then 0.0 end as waarde,
        case when d.indicator is not null then d.teller
             when r.privacyregel = 'noemer' then 0.0 end as teller,
        case when d.indicator is not null then d.noemer
             when r.privacyregel = 'noemer' then 0.0 end as noemer,
        d.ci_laag,
        d.ci_hoog,
        case when d.indicator is not null then d.aantal
             when r.privacyregel = 'aantal' then 0 end as aantal,
        r.privacyregel
    from raster as r
    left join gegevens as d
        on r.indicator = d.indicator
        and r.periode = d.periode
        and r.gebied_code = d.gebied_code
        and r.uitsplitsing = d.uitsplitsing

)

select * from final
