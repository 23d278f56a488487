-- One row per record with support (Wmo ondersteuning, jeugdhulp) that has a start date:
-- the active-support interval [datum_start, datum_einde] (no einde = ongoing).
with

wmo as (

    select * from {{ ref('stg_wmo__meldingen') }}

),

jeugd as (

    select * from {{ ref('stg_jeugd__dossiers') }}

),

intervallen as (

    select
        'wmo' as team,
        meldingnummer as record_id,
        coalesce(client_pseudo, 'wmo:' || meldingnummer) as persoon,
        huishouden_pseudo,
        wijk_code,
        uitkomst,
        uitkomst = 'maatwerkvoorziening' as is_zorg,
        cast(null as date) as geboortemaand,
        datum_start_ondersteuning as datum_start,
        datum_einde_ondersteuning as datum_einde
    from wmo
    where datum_start_ondersteuning is not null

    union all

    select
        'jeugd' as team,
        dossiernummer as record_id,
        coalesce(client_pseudo, 'jeugd:' || dossiernummer) as persoon,
        huishouden_pseudo,
        wijk_code,
        uitkomst,
        coalesce(uitkomst in ({{ jeugdzorg_uitkomsten() }}), false) as is_zorg,
        geboortemaand,
        datum_start_hulp as datum_start,
        datum_einde_hulp as datum_einde
    from jeugd
    where datum_start_hulp is not null

)

select * from intervallen
