-- One row per stage per half-year in which it either ended or was still open on the
-- period's last day, with its status against the legal term.
with

stadia as (

    select * from {{ ref('int_stadia_afgeleid') }}

),

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

gekoppeld as (

    select
        p.periode,
        p.einddatum as peildatum,
        s.*,
        s.datum_eind is not null
            and s.datum_eind between p.begindatum and p.einddatum as is_beeindigd,
        s.datum_start <= p.einddatum
            and (s.datum_eind is null or s.datum_eind > p.einddatum) as is_open
    from stadia as s
    inner join perioden as p
        on s.datum_start <= p.einddatum
        and (s.datum_eind is null or s.datum_eind >= p.begindatum)

),

final as (

    select
        periode,
        peildatum,
        team,
        stap,
        record_id,
        wijk_code,
        datum_start,
        datum_eind,
        is_spoed,
        termijn_dagen,
        termijn_werkdagen,
        doorlooptijd_dagen,
        is_beeindigd,
        is_open,
        -- ended in the period within the term ("within" = days <= term)
        is_beeindigd and (
            (not is_spoed and termijn_dagen is not null and doorlooptijd_dagen <= termijn_dagen)
            or (is_spoed and doorlooptijd_werkdagen <= termijn_werkdagen)
        ) as is_binnen_termijn,
        -- open on the last day and already past the term
        is_open and (
            (not is_spoed and termijn_dagen is not null
                and {{ dagen_tussen('datum_start', 'peildatum') }} > termijn_dagen)
            or (is_spoed and {{ werkdagen_na('datum_start', 'peildatum') }} > termijn_werkdagen)
        ) as is_open_over_termijn,
        termijn_dagen is not null or termijn_werkdagen is not null as heeft_termijn
    from gekoppeld
    where is_beeindigd or is_open

)

select * from final
