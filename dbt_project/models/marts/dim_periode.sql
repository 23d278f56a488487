-- One row per half-year of the monitor, from the first to the last present in the records.
select
    periode,
    jaar,
    halfjaar,
    begindatum,
    einddatum,
    label
from {{ ref('int_periodes_afgeleid') }}
