{#- Generic test: the combination of `columns` is unique in the model (dbt_utils is not
    available offline, so this small test stands in for unique_combination_of_columns).
    Grouping tens of millions of text keys does not spill within DuckDB's memory limit, so the
    test groups a fixed-size hash of the columns first and compares by value only the rows whose
    hash repeats: a hash collision costs a second look, never a false result. -#}
{% test unique_combination(model, columns) %}

with

herhaalde_hashes as (

    select hash({{ columns | join(', ') }}) as rij_hash
    from {{ model }}
    group by 1
    having count(*) > 1

)

select
    {{ columns | join(', ') }},
    count(*) as aantal
from {{ model }}
where hash({{ columns | join(', ') }}) in (select rij_hash from herhaalde_hashes)
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
