{#- Generic test: the combination of `columns` is unique in the model (dbt_utils is not
    available offline, so this small test stands in for unique_combination_of_columns). -#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as aantal
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
