-- One row per half-year from the first to the last half-year present in the records' own
-- dates (event dates, meetperiode, maand; not file names or birth months).
with

datums as (

    {%- set datumkolommen = {
        'stg_wmo__meldingen': ['datum_melding', 'datum_gesprek', 'datum_aanvraag', 'datum_besluit',
                               'datum_start_ondersteuning', 'datum_einde_ondersteuning'],
        'stg_jeugd__dossiers': ['datum_melding', 'datum_besluit', 'datum_start_hulp', 'datum_einde_hulp',
                                'datum_toekomstplan'],
        'stg_bwmo__aanmeldingen': ['datum_aanmelding', 'datum_indicatie', 'datum_plaatsing', 'datum_uitstroom'],
        'stg_inkomen__aanvragen': ['datum_aanvraag', 'datum_besluit'],
        'stg_schuldhulp__aanmeldingen': ['datum_aanmelding', 'datum_eerste_gesprek', 'datum_plan_van_aanpak',
                                         'datum_einde'],
        'stg_voorliggend__contacten': ['datum_contact'],
        'stg_regie__casussen': ['datum_opschaling', 'datum_afschaling'],
        'stg_capaciteit__teammaanden': ['maand'],
    } %}
    {%- for model, kolommen in datumkolommen.items() %}
    {%- for kolom in kolommen %}
    select {{ halfjaar_index(kolom) }} as periode_index
    from {{ ref(model) }}
    where {{ kolom }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    union all
    {%- endfor %}
    select cast(substr(meetperiode, 1, 4) as integer) * 2
           + case when meetperiode like '%H2' then 1 else 0 end as periode_index
    from {{ ref('stg_enquete__antwoorden') }}
    where meetperiode is not null

),

grenzen as (

    select min(periode_index) as eerste, max(periode_index) as laatste
    from datums

),

reeks as (

    -- half-year indices 2015-H1 .. 2099-H2; the toegang exists since 2015
    select r.n as periode_index
    from {{ integer_range(4030, 4199) }} as r
    cross join grenzen as g
    where r.n between g.eerste and g.laatste

),

perioden as (

    select
        periode_index,
        cast(floor(periode_index / 2) as integer) as jaar,
        cast(mod(periode_index, 2) + 1 as integer) as halfjaar
    from reeks

),

final as (

    select
        cast(jaar as {{ dbt.type_string() }}) || '-H' || cast(halfjaar as {{ dbt.type_string() }}) as periode,
        jaar,
        halfjaar,
        cast(cast(jaar as {{ dbt.type_string() }})
             || case when halfjaar = 1 then '-01-01' else '-07-01' end as date) as begindatum,
        cast(cast(jaar as {{ dbt.type_string() }})
             || case when halfjaar = 1 then '-06-30' else '-12-31' end as date) as einddatum,
        periode_index,
        case when halfjaar = 1
             then cast(jaar - 1 as {{ dbt.type_string() }}) || '-H2'
             else cast(jaar as {{ dbt.type_string() }}) || '-H1' end as vorige_periode,
        cast(halfjaar as {{ dbt.type_string() }}) || 'e halfjaar ' || cast(jaar as {{ dbt.type_string() }}) as label

    from perioden

)

select * from final
