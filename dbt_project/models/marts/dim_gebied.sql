-- One row per area: the gemeente, its CBS wijken and 'onbekend'.
select
    gebied_code,
    gebied_naam,
    soort,
    inwoners,
    inwoners_0_22,
    inwoners_geschat
from {{ ref('int_gebieden_samengesteld') }}
