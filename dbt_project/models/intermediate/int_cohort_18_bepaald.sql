-- One row per youth (client_pseudo in jeugd) with jeugdhulp active on the 18th birthday:
-- the dossier that counts (latest datum_start_hulp, then highest dossiernummer), the
-- half-year of the birthday, and the 18-/18+ outcomes.
with

dossiers as (

    select * from {{ ref('stg_jeugd__dossiers') }}

),

wmo as (

    select * from {{ ref('stg_wmo__meldingen') }}

),

inkomen as (

    select * from {{ ref('stg_inkomen__aanvragen') }}

),

perioden as (

    select * from {{ ref('int_periodes_afgeleid') }}

),

met_verjaardag as (

    select
        coalesce(client_pseudo, 'jeugd:' || dossiernummer) as jongere,
        client_pseudo,
        dossiernummer,
        wijk_code,
        datum_start_hulp,
        datum_einde_hulp,
        datum_toekomstplan,
        is_verlengde_jeugdhulp,
        vervolg_na_18,
        -- birthday = the first day of geboortemaand; age 18 reached on that day + 18 years
        {{ plus_maanden('geboortemaand', 216) }} as verjaardag_18,
        {{ plus_maanden('geboortemaand', 210) }} as leeftijd_17_half
    from dossiers
    where geboortemaand is not null
      and datum_start_hulp is not null
      and uitkomst in ({{ jeugdzorg_uitkomsten() }})

),

actief_op_verjaardag as (

    select
        *,
        row_number() over (
            partition by jongere
            order by datum_start_hulp desc, dossiernummer desc
        ) as rang
    from met_verjaardag
    where datum_start_hulp <= verjaardag_18
      and (datum_einde_hulp is null or datum_einde_hulp >= verjaardag_18)

),

cohort as (

    select
        a.*,
        p.periode
    from actief_op_verjaardag as a
    inner join perioden as p
        on a.verjaardag_18 between p.begindatum and p.einddatum
    where a.rang = 1

),

vervolg as (

    -- a Wmo melding (vervolg wmo) or inkomen aanvraag (vervolg participatiewet) of the same
    -- client within follow_up_dagen (inclusive) before or after the 18th birthday
    select distinct c.jongere
    from cohort as c
    inner join wmo as w
        on c.client_pseudo = w.client_pseudo
    where c.vervolg_na_18 = 'wmo'
      and w.datum_melding between {{ plus_dagen('c.verjaardag_18', -var('follow_up_dagen')) }}
                              and {{ plus_dagen('c.verjaardag_18', var('follow_up_dagen')) }}

    union

    select distinct c.jongere
    from cohort as c
    inner join inkomen as i
        on c.client_pseudo = i.client_pseudo
    where c.vervolg_na_18 = 'participatiewet'
      and i.datum_aanvraag between {{ plus_dagen('c.verjaardag_18', -var('follow_up_dagen')) }}
                               and {{ plus_dagen('c.verjaardag_18', var('follow_up_dagen')) }}

),

final as (

    select
        c.jongere,
        c.dossiernummer,
        c.wijk_code,
        c.periode,
        c.verjaardag_18,
        c.datum_toekomstplan,
        c.vervolg_na_18,
        coalesce(c.datum_toekomstplan <= c.leeftijd_17_half, false) as is_toekomstplan_tijdig,
        -- "not verlengd": verlengde_jeugdhulp is not ja (nee or empty)
        coalesce(c.is_verlengde_jeugdhulp, false) as is_verlengd,
        v.jongere is not null as is_vervolg_gevonden,
        coalesce(c.is_verlengde_jeugdhulp, false)
            or coalesce(c.vervolg_na_18 in ('wlz', 'zvw_ggz', 'geen_nodig'), false)
            or v.jongere is not null as is_vervolg_geregeld,
        not coalesce(c.is_verlengde_jeugdhulp, false)
            and coalesce(c.vervolg_na_18 in ('wmo', 'participatiewet'), false)
            and v.jongere is null as is_zorggat
    from cohort as c
    left join vervolg as v
        on c.jongere = v.jongere

)

select * from final
