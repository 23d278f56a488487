-- One row per support interval per half-year in which it is active on at least one day
-- (start <= period end and (no einde or einde >= period start)).
with

intervallen as (

    select * from {{ ref('int_ondersteuning_intervallen') }}

),

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

actief as (

    select
        p.periode,
        p.begindatum,
        p.einddatum,
        i.*
    from intervallen as i
    inner join perioden as p
        on i.datum_start <= p.einddatum
        and (i.datum_einde is null or i.datum_einde >= p.begindatum)

)

select * from actief
