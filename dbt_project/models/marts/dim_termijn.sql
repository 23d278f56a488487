-- One row per waiting stage of the spec (team, stap; always all six, whatever sources are
-- present): the legal term in calendar days from var('termijnen'), the spoed term in werkdagen
-- (schuldhulp only), the law it comes from, and a Dutch text for screens and reports.
-- bwmo (beschermd wonen / opvang) is a waiting list without a legal term: termijn_dagen null.
{%- set termijnen = var('termijnen') %}
with

stappen as (

    select * from (
        values
            ('wmo', 'melding_gesprek', {{ termijnen['wmo_melding_gesprek'] }}, null, 'Wmo 2015', 1),
            ('wmo', 'aanvraag_besluit', {{ termijnen['wmo_aanvraag_besluit'] }}, null, 'Wmo 2015', 2),
            ('jeugd', 'melding_besluit', {{ termijnen['jeugd_melding_besluit'] }}, null, 'Jeugdwet', 3),
            ('inkomen', 'aanvraag_besluit', {{ termijnen['inkomen_aanvraag_besluit'] }}, null,
             'Participatiewet', 4),
            ('schuldhulp', 'aanmelding_eerste_gesprek',
             {{ termijnen['schuldhulp_aanmelding_eerste_gesprek'] }},
             {{ termijnen['schuldhulp_spoed_werkdagen'] }}, 'Wgs', 5),
            ('bwmo', 'indicatie_plaatsing', null, null, 'Wmo 2015', 6)
    ) as t (team, stap, termijn_dagen, spoed_werkdagen, wet, volgorde)

),

final as (

    select
        cast(team as {{ dbt.type_string() }}) as team,
        cast(stap as {{ dbt.type_string() }}) as stap,
        cast(termijn_dagen as integer) as termijn_dagen,
        cast(spoed_werkdagen as integer) as spoed_werkdagen,
        cast(wet as {{ dbt.type_string() }}) as wet,
        cast(
            case
                when termijn_dagen is null then 'geen wettelijke termijn'
                when spoed_werkdagen is not null
                    then cast(termijn_dagen as {{ dbt.type_string() }}) || ' dagen; spoed: '
                        || cast(spoed_werkdagen as {{ dbt.type_string() }}) || ' werkdagen'
                else cast(termijn_dagen as {{ dbt.type_string() }}) || ' dagen'
            end as {{ dbt.type_string() }}
        ) as termijn_tekst,
        cast(volgorde as integer) as volgorde
    from stappen

)

select * from final
