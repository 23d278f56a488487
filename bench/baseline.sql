-- bench/baseline.sql: the speed limit of this machine.
--
-- One hand-written DuckDB script that computes the monitor's `fct_indicator` (per
-- /work/shared/monitor-spec.md) straight from the export CSVs: no landing step, no dbt, no
-- Great Expectations, no publish. `bench/run.py` times it beside `sdmonitor build` and reports
-- each build time as a ratio to it; the smoke test checks that its figures agree with the
-- build's on gemeente-level cells, so it is a second implementation, not just a stopwatch.
--
-- Parameters (DuckDB variables, set before this script runs: bench/baseline.py does that):
--   exports        the exports folder: <exports>/<bron>/<bron>_<yyyymmdd>.csv      (required)
--   wijken         the reference wijken csv (wijkcode;wijknaam;inwoners;...)      (required)
--   gemeente_code, basisperiode, min_noemer, min_telling, follow_up_dagen, doorverwijzing_dagen,
--   term_wmo_melding_gesprek, term_wmo_aanvraag_besluit, term_jeugd_melding_besluit,
--   term_inkomen_aanvraag_besluit, term_schuldhulp, term_schuldhulp_spoed_werkdagen
--                  the gemeente's configuration; defaults below are config/gemeente.toml's.
--
-- Reading: every file as text (all_varchar), header by name (union_by_name), so shuffled and
-- extra columns do not matter; `;`, UTF-8 BOM stripped by the reader.
-- `inkomen` is Windows-1252. DuckDB's own 'latin-1' decoder would do for every figure here
-- (cp1252 differs from latin-1 only in 0x80-0x9F: the euro sign, curly quotes, dashes, which
-- occur only in free text and names, never in the codes, dates and amounts computed with), but
-- DuckDB 2.0.1 rejects a file holding any byte in 0x80-0x9F as "not latin-1 encoded", and the
-- `encodings` extension is a download. So bench/baseline.py transcodes the inkomen files to UTF-8
-- in bulk (one codec call per file, no per-row Python; timed as part of the baseline) into
-- the folder in variable `inkomen_dir`; without that variable the files are read as latin-1.
-- Rows that break the contract (unparseable date, unknown code, missing required value, date
-- before 2015 or after the export date, negative decimal, wrong number of fields) are dropped,
-- as the build quarantines them; then the latest export wins per key (latest export date, then
-- the later line).
--
-- Output: table `fct_indicator` (indicator, periode, gebied_code, uitsplitsing, waarde, teller,
-- noemer, ci_laag, ci_hoog, onderdrukt, reden_onderdrukt), with the full grid, primary and
-- secondary suppression.

-- ---------------------------------------------------------------------------------------------
-- configuration
-- ---------------------------------------------------------------------------------------------
create or replace temp table cfg as select
    coalesce(getvariable('gemeente_code'), 'GM0150')::varchar as gm,
    coalesce(getvariable('basisperiode'), '2023-H1')::varchar as basisperiode,
    coalesce(getvariable('min_noemer'), 10)::int as min_noemer,
    coalesce(getvariable('min_telling'), 5)::int as min_telling,
    coalesce(getvariable('follow_up_dagen'), 90)::int as follow_up_dagen,
    coalesce(getvariable('doorverwijzing_dagen'), 180)::int as doorverwijzing_dagen,
    coalesce(getvariable('term_wmo_melding_gesprek'), 42)::int as t_wmo_mg,
    coalesce(getvariable('term_wmo_aanvraag_besluit'), 14)::int as t_wmo_ab,
    coalesce(getvariable('term_jeugd_melding_besluit'), 56)::int as t_jeugd,
    coalesce(getvariable('term_inkomen_aanvraag_besluit'), 56)::int as t_inkomen,
    coalesce(getvariable('term_schuldhulp'), 28)::int as t_shv,
    coalesce(getvariable('term_schuldhulp_spoed_werkdagen'), 3)::int as t_shv_spoed,
    coalesce(getvariable('zonder_bestanden'), []::varchar[])::varchar[] as zonder_bestanden;

-- ---------------------------------------------------------------------------------------------
-- helpers
-- ---------------------------------------------------------------------------------------------
create or replace temp macro v(x) as nullif(trim(x), '');
create or replace temp macro dmy(x) as try_strptime(v(x), '%d-%m-%Y')::date;
create or replace temp macro ymd(x) as try_strptime(v(x), '%Y-%m-%d')::date;
create or replace temp macro ym(x) as case when regexp_full_match(v(x), '[0-9]{4}-[0-9]{1,2}') then try_strptime(v(x), '%Y-%m')::date end;
-- a date cell breaks the contract when set but unparseable or outside [2015-01-01, export date]
create or replace temp macro bad(raw, parsed, exp) as
    v(raw) is not null and (parsed is null or parsed < date '2015-01-01' or parsed > exp);
create or replace temp macro decnum(x) as case when regexp_full_match(v(x), '-?[0-9]+(,[0-9]+)?') then replace(v(x), ',', '.')::double end;
create or replace temp macro bad_dec(x) as v(x) is not null and (decnum(x) is null or decnum(x) < 0);
create or replace temp macro jn(x) as case lower(v(x)) when 'ja' then true when 'nee' then false end;
create or replace temp macro bad_jn(x) as v(x) is not null and jn(x) is null;
create or replace temp macro bad_code(x, codes) as v(x) is not null and not list_contains(codes, v(x));
create or replace temp macro expdate(f) as strptime(regexp_extract(f, '_(\d{8})\.csv$', 1), '%Y%m%d')::date;
-- half-years as integers: year * 2 + (0 for H1, 1 for H2)
create or replace temp macro pidx(d) as year(d) * 2 + (month(d) > 6)::int;
create or replace temp macro pnaam(i) as (i // 2)::varchar || '-H' || (i % 2 + 1)::varchar;
create or replace temp macro wkey(x) as regexp_replace(strip_accents(lower(replace(x, '&', ' en '))), '[^a-z0-9]+', '', 'g');
-- Monday-Friday days in (s, e]: f(e) - f(s), f counting weekdays from a Monday up to and including d
create or replace temp macro wdf(d) as
    5 * (datediff('day', date '2000-01-03', d) // 7) + least(datediff('day', date '2000-01-03', d) % 7 + 1, 5);
create or replace temp macro werkdagen(s, e) as wdf(e) - wdf(s);

-- A source without export files is read from a header-only stub (variable `stub_dir`, written by
-- bench/baseline.py): its tables are empty and the indicators that need it are absent (below).
create or replace temp macro src(bron, enc) as table
    select *, row_number() over () as _rn
    from read_csv(case when list_contains(coalesce(getvariable('zonder_bestanden'), []::varchar[]), bron)
                       then getvariable('stub_dir') || '/' || bron || '.csv'
                       when bron = 'inkomen' and getvariable('inkomen_dir') is not null
                       then getvariable('inkomen_dir') || '/inkomen_*.csv'
                       else getvariable('exports') || '/' || bron || '/' || bron || '_*.csv' end,
                  delim = ';', quote = '"', escape = '"', header = true, all_varchar = true,
                  union_by_name = true, filename = true, ignore_errors = true, encoding = enc,
                  auto_detect = false);  -- quote/escape given: else DuckDB sniffs them per file (7x slower)

-- ---------------------------------------------------------------------------------------------
-- reference: wijken and the typed-wijk lookup (name or code, normalised)
-- ---------------------------------------------------------------------------------------------
create or replace temp table ref_wijken as
select trim(wijkcode) as wijkcode, trim(wijknaam) as wijknaam,
       inwoners::double as inwoners, inwoners_0_22::double as inwoners_0_22
from read_csv(getvariable('wijken'), delim = ';', header = true, all_varchar = true);

create or replace temp table wijk_lookup as
select distinct k, wijkcode from (
    select wkey(wijkcode) as k, wijkcode from ref_wijken
    union all select wkey(wijknaam), wijkcode from ref_wijken);

create or replace temp macro wijk(x) as coalesce((select wijkcode from wijk_lookup where k = wkey(x)), 'onbekend');

-- ---------------------------------------------------------------------------------------------
-- landing: typed, contract-breaking rows dropped, latest export wins
-- ---------------------------------------------------------------------------------------------
create or replace temp table wmo as
with r as (
    select *, expdate(filename) as exp,
        dmy(datum_melding) as d_melding, dmy(datum_gesprek) as d_gesprek,
        dmy(datum_aanvraag) as d_aanvraag, dmy(datum_besluit) as d_besluit,
        dmy(datum_start_ondersteuning) as d_start, dmy(datum_einde_ondersteuning) as d_einde
    from src('wmo', 'utf-8')
)
select v(meldingnummer) as meldingnummer, v(client_pseudo) as client_pseudo,
       v(huishouden_pseudo) as huishouden_pseudo, coalesce(l.wijkcode, 'onbekend') as wijk_code,
       v(kanaal) as kanaal, d_melding, d_gesprek, d_aanvraag, d_besluit, v(besluit) as besluit,
       v(uitkomst) as uitkomst, d_start, d_einde, v(hulpvraag_domein) as hulpvraag_domein,
       v(doorverwezen_naar) as doorverwezen_naar
from r left join wijk_lookup l on l.k = wkey(r.wijk)
where v(meldingnummer) is not null and d_melding is not null
  and not bad(datum_melding, d_melding, exp) and not bad(datum_gesprek, d_gesprek, exp)
  and not bad(datum_aanvraag, d_aanvraag, exp) and not bad(datum_besluit, d_besluit, exp)
  and not bad(datum_start_ondersteuning, d_start, exp) and not bad(datum_einde_ondersteuning, d_einde, exp)
  and not (v(geboortejaar) is not null and not regexp_full_match(v(geboortejaar), '-?[0-9]{1,9}'))
  and not bad_code(kanaal, ['telefoon', 'mail', 'inloop', 'post', 'digitaal', 'huisarts', 'ketenpartner', 'overig'])
  and not bad_code(besluit, ['toegekend', 'afgewezen', 'ingetrokken'])
  and not bad_code(uitkomst, ['eigen_kracht', 'sociaal_netwerk', 'algemene_voorziening', 'maatwerkvoorziening', 'doorverwezen', 'geen'])
  and not bad_code(voorziening, ['huishoudelijke_hulp', 'begeleiding', 'dagbesteding', 'hulpmiddel', 'woningaanpassing', 'vervoer', 'kortdurend_verblijf'])
  and not bad_code(hulpvraag_domein, ['wonen', 'zorg_gezondheid', 'financien', 'werk_dagbesteding', 'sociaal_netwerk', 'opvoeden', 'veiligheid', 'overig'])
  and not bad_code(doorverwezen_naar, ['wmo', 'jeugd', 'bwmo', 'inkomen', 'schuldhulp', 'voorliggend', 'enquete', 'regie', 'capaciteit'])
qualify row_number() over (partition by v(meldingnummer) order by exp desc, _rn desc) = 1;

create or replace temp table jeugd as
with r as (
    select *, expdate(filename) as exp, ym(geboortemaand) as geb,
        ymd(datum_melding) as d_melding, ymd(datum_besluit) as d_besluit,
        ymd(datum_start_hulp) as d_start, ymd(datum_einde_hulp) as d_einde,
        ymd(datum_toekomstplan) as d_toekomstplan
    from src('jeugd', 'utf-8')
)
select v(dossiernummer) as dossiernummer, v(client_pseudo) as client_pseudo,
       v(huishouden_pseudo) as huishouden_pseudo, geb, coalesce(l.wijkcode, 'onbekend') as wijk_code,
       v(verwijzer) as verwijzer, d_melding, d_besluit, v(uitkomst) as uitkomst, d_start, d_einde,
       jn(verlengde_jeugdhulp) as verlengd, d_toekomstplan, v(vervolg_na_18) as vervolg_na_18
from r left join wijk_lookup l on l.k = wkey(r.wijkcode)
where v(dossiernummer) is not null and d_melding is not null
  and not (v(geboortemaand) is not null and geb is null)
  and not bad(datum_melding, d_melding, exp) and not bad(datum_besluit, d_besluit, exp)
  and not bad(datum_start_hulp, d_start, exp) and not bad(datum_einde_hulp, d_einde, exp)
  and not bad(datum_toekomstplan, d_toekomstplan, exp)
  and not bad_jn(verlengde_jeugdhulp)
  and not bad_code(verwijzer, ['gemeente', 'huisarts', 'medisch_specialist', 'jeugdarts', 'gecertificeerde_instelling', 'rechter', 'overig'])
  and not bad_code(uitkomst, ['voorliggend_veld', 'lokaal_team', 'jeugdhulp_ambulant', 'jeugdhulp_verblijf', 'jeugdbescherming', 'jeugdreclassering', 'geen'])
  and not bad_code(reden_einde, ['doel_bereikt', 'achttien_jaar', 'verhuisd', 'voortijdig', 'overig'])
  and not bad_code(vervolg_na_18, ['wmo', 'wlz', 'zvw_ggz', 'participatiewet', 'geen_nodig', 'onbekend'])
qualify row_number() over (partition by v(dossiernummer) order by exp desc, _rn desc) = 1;

create or replace temp table bwmo as
with r as (
    select *, expdate(filename) as exp,
        dmy(datum_aanmelding) as d_aanmelding, dmy(datum_indicatie) as d_indicatie,
        dmy(datum_plaatsing) as d_plaatsing, dmy(datum_uitstroom) as d_uitstroom
    from src('bwmo', 'utf-8')
)
select v(aanmeldnummer) as aanmeldnummer, d_aanmelding, d_indicatie, d_plaatsing, d_uitstroom,
       v(status) as status
from r
where v(aanmeldnummer) is not null and d_aanmelding is not null
  and not bad(datum_aanmelding, d_aanmelding, exp) and not bad(datum_indicatie, d_indicatie, exp)
  and not bad(datum_plaatsing, d_plaatsing, exp) and not bad(datum_uitstroom, d_uitstroom, exp)
  and not bad_code(voorziening, ['beschermd_wonen', 'beschermd_thuis', 'maatschappelijke_opvang'])
  and not bad_code(status, ['aangemeld', 'wachtlijst', 'geplaatst', 'uitgestroomd', 'ingetrokken'])
qualify row_number() over (partition by v(aanmeldnummer) order by exp desc, _rn desc) = 1;

create or replace temp table inkomen as
with r as (
    select *, expdate(filename) as exp,
        dmy(datum_aanvraag) as d_aanvraag, dmy(datum_besluit) as d_besluit
    from src('inkomen', case when getvariable('inkomen_dir') is null then 'latin-1' else 'utf-8' end)
)
select v(aanvraagnummer) as aanvraagnummer, v(client_pseudo) as client_pseudo,
       v(huishouden_pseudo) as huishouden_pseudo, coalesce(l.wijkcode, 'onbekend') as wijk_code,
       d_aanvraag, d_besluit, v(besluit) as besluit
from r left join wijk_lookup l on l.k = wkey(r.wijk)
where v(aanvraagnummer) is not null and d_aanvraag is not null
  and not bad(datum_aanvraag, d_aanvraag, exp) and not bad(datum_besluit, d_besluit, exp)
  and not bad_dec(bedrag_per_maand)
  and not bad_code(regeling, ['bijstand', 'bijzondere_bijstand', 'individuele_inkomenstoeslag', 'minimaregeling', 'bbz'])
  and not bad_code(besluit, ['toegekend', 'afgewezen', 'buiten_behandeling', 'ingetrokken'])
qualify row_number() over (partition by v(aanvraagnummer) order by exp desc, _rn desc) = 1;

create or replace temp table schuldhulp as
with r as (
    select *, expdate(filename) as exp,
        dmy(datum_aanmelding) as d_aanmelding, dmy(datum_eerste_gesprek) as d_gesprek,
        dmy(datum_plan_van_aanpak) as d_plan, dmy(datum_einde) as d_einde
    from src('schuldhulp', 'utf-8')
)
select v(aanmeldnummer) as aanmeldnummer, v(huishouden_pseudo) as huishouden_pseudo,
       coalesce(l.wijkcode, 'onbekend') as wijk_code, coalesce(jn(spoed), false) as spoed,
       d_aanmelding, d_gesprek, d_einde
from r left join wijk_lookup l on l.k = wkey(r.wijk)
where v(aanmeldnummer) is not null and d_aanmelding is not null
  and not bad(datum_aanmelding, d_aanmelding, exp) and not bad(datum_eerste_gesprek, d_gesprek, exp)
  and not bad(datum_plan_van_aanpak, d_plan, exp) and not bad(datum_einde, d_einde, exp)
  and not bad_jn(spoed)
  and not bad_code(bron_aanmelding, ['zelf', 'vroegsignalering', 'geldfit', 'ketenpartner', 'overig'])
  and not bad_code(traject, ['informatie_advies', 'budgetbeheer', 'schuldregeling', 'doorverwezen_geldfit'])
qualify row_number() over (partition by v(aanmeldnummer) order by exp desc, _rn desc) = 1;

create or replace temp table voorliggend as
with r as (
    select *, expdate(filename) as exp, dmy(datum_contact) as d_contact
    from src('voorliggend', 'utf-8')
)
select v(contactnummer) as contactnummer, v(huishouden_pseudo) as huishouden_pseudo,
       coalesce(l.wijkcode, 'onbekend') as wijk_code, d_contact, v(thema) as thema,
       coalesce(jn(afgehandeld), false) as afgehandeld, v(doorverwezen_naar) as doorverwezen_naar
from r left join wijk_lookup l on l.k = wkey(r.wijk)
where v(contactnummer) is not null and d_contact is not null
  and not bad(datum_contact, d_contact, exp)
  and not bad_jn(afgehandeld)
  and not bad_code(organisatie, ['voor_elkaar_team', 'geldfit', 'welzijn', 'mantelzorgsteunpunt', 'overig'])
  and not bad_code(thema, ['wonen', 'zorg_gezondheid', 'financien', 'werk_dagbesteding', 'sociaal_netwerk', 'opvoeden', 'veiligheid', 'overig'])
  and not bad_code(doorverwezen_naar, ['wmo', 'jeugd', 'inkomen', 'schuldhulp', 'bwmo'])
qualify row_number() over (partition by v(contactnummer) order by exp desc, _rn desc) = 1;

create or replace temp table enquete as
with r as (select *, expdate(filename) as exp from src('enquete', 'utf-8'))
select v(onderzoek) as onderzoek,
       (left(v(meetperiode), 4)::int * 2 + (right(v(meetperiode), 1) = '2')::int) as p,
       coalesce(l.wijkcode, 'onbekend') as wijk_code, v(vraag) as vraag, v(antwoord)::int as antwoord,
       coalesce(decnum(weging), 1.0) as weging
from r left join wijk_lookup l on l.k = wkey(r.wijkcode)
where v(respondent_id) is not null and v(onderzoek) is not null and v(vraag) is not null
  and v(antwoord) is not null and regexp_full_match(coalesce(v(meetperiode), ''), '\d{4}-H[12]')
  and not bad_code(onderzoek, ['ceo_wmo', 'ceo_jeugd', 'bewonersonderzoek'])
  and not bad_code(leeftijdsklasse, ['0-17', '18-34', '35-64', '65-74', '75+'])
  and not bad_code(vraag, ['wist_waar', 'snel_geholpen', 'serieus_genomen', 'samen_oplossing', 'kwaliteit_goed', 'beter_redden', 'weet_waar_terecht', 'toegang_bereikbaar'])
  and not bad_code(antwoord, ['1', '2', '3', '4', '5', '8', '9'])
  and not bad_dec(weging)
qualify row_number() over (partition by v(respondent_id), v(vraag) order by exp desc, _rn desc) = 1;

create or replace temp table regie as
with r as (
    select *, expdate(filename) as exp, dmy(datum_opschaling) as d_opschaling, dmy(datum_afschaling) as d_afschaling
    from src('regie', 'utf-8')
)
select v(casusnummer) as casusnummer, d_opschaling, d_afschaling, v(niveau) as niveau,
       coalesce(v(resultaat), 'lopend') as resultaat
from r
where v(casusnummer) is not null and d_opschaling is not null
  and not bad(datum_opschaling, d_opschaling, exp) and not bad(datum_afschaling, d_afschaling, exp)
  and not bad_code(ingebracht_door, ['wmo', 'jeugd', 'bwmo', 'inkomen', 'schuldhulp', 'voorliggend', 'enquete', 'regie', 'capaciteit'])
  and not bad_code(niveau, ['procesregisseur', 'doorbraakteam', 'zorg_veiligheidshuis', 'burgemeester', 'mandaatcommissie'])
  and not bad_code(resultaat, ['plan_akkoord', 'doorbraak', 'lopend', 'geen_doorbraak'])
qualify row_number() over (partition by v(casusnummer) order by exp desc, _rn desc) = 1;

create or replace temp table capaciteit as
with r as (select *, expdate(filename) as exp, ym(maand) as m from src('capaciteit', 'utf-8'))
select v(team) as team, m as maand, decnum(fte_formatie) as fte_formatie, decnum(fte_bezet) as fte_bezet,
       decnum(verzuim_pct) as verzuim_pct
from r
where v(team) is not null and m is not null
  and not bad_code(team, ['wmo', 'jeugd', 'bwmo', 'inkomen', 'schuldhulp', 'voorliggend', 'enquete', 'regie', 'capaciteit'])
  and not bad_dec(fte_formatie) and not bad_dec(fte_bezet) and not bad_dec(verzuim_pct)
qualify row_number() over (partition by v(team), m order by exp desc, _rn desc) = 1;

-- ---------------------------------------------------------------------------------------------
-- periods (from the records' own dates) and areas
-- ---------------------------------------------------------------------------------------------
create or replace temp table periods as
with d as (
    select min(least(d_melding, d_gesprek, d_aanvraag, d_besluit, d_start, d_einde)) as lo,
           max(greatest(d_melding, d_gesprek, d_aanvraag, d_besluit, d_start, d_einde)) as hi from wmo
    union all select min(least(d_melding, d_besluit, d_start, d_einde, d_toekomstplan)),
                     max(greatest(d_melding, d_besluit, d_start, d_einde, d_toekomstplan)) from jeugd
    union all select min(least(d_aanmelding, d_indicatie, d_plaatsing, d_uitstroom)),
                     max(greatest(d_aanmelding, d_indicatie, d_plaatsing, d_uitstroom)) from bwmo
    union all select min(least(d_aanvraag, d_besluit)), max(greatest(d_aanvraag, d_besluit)) from inkomen
    union all select min(least(d_aanmelding, d_gesprek, d_einde)), max(greatest(d_aanmelding, d_gesprek, d_einde)) from schuldhulp
    union all select min(d_contact), max(d_contact) from voorliggend
    union all select min(least(d_opschaling, d_afschaling)), max(greatest(d_opschaling, d_afschaling)) from regie
    union all select min(maand), max(maand) from capaciteit
),
b as (
    select least(min(pidx(lo)), (select min(p) from enquete)) as lo,
           greatest(max(pidx(hi)), (select max(p) from enquete)) as hi from d
)
select i as p, pnaam(i) as periode,
       make_date((i // 2)::int, (1 + 6 * (i % 2))::int, 1) as pstart,
       (make_date((i // 2)::int, (1 + 6 * (i % 2))::int, 1) + interval 6 month - interval 1 day)::date as pend
from b, range(b.lo, b.hi + 1) t(i);

create or replace temp table areas as
select (select gm from cfg) as gebied_code, 'gm' as soort, (select sum(inwoners) from ref_wijken) as inwoners,
       (select sum(inwoners_0_22) from ref_wijken) as inwoners_0_22
union all select wijkcode, 'wijk', inwoners, inwoners_0_22 from ref_wijken
union all select 'onbekend', 'onbekend', null, null;

-- scope: which areas an indicator has: all (gemeente, wijken, onbekend), inh (no onbekend), gm
create or replace temp table scope_areas as
select 'all' as scope, gebied_code from areas
union all select 'inh', gebied_code from areas where soort <> 'onbekend'
union all select 'gm', gebied_code from areas where soort = 'gm';

-- ---------------------------------------------------------------------------------------------
-- cell values. kind: count | ratio | perinh (per inhabitant) | median | cap (never suppressed)
--                    | capfte (wachtend_per_fte) | shift (verschuiving)
-- every value table: indicator, p, gebied_code, uitsplitsing, waarde, teller, noemer, ci_laag,
-- ci_hoog, n (stages behind a median)
-- ---------------------------------------------------------------------------------------------

-- 1. vindbaarheid -----------------------------------------------------------------------------
create or replace temp table v_vind as
with a as (
    select 'pct_' || vraag as indicator, p, unnest([(select gm from cfg), wijk_code]) as gebied_code,
           'onderzoek=' || onderzoek as uitsplitsing, antwoord, weging
    from enquete
    where (vraag = 'wist_waar' and onderzoek in ('ceo_wmo', 'ceo_jeugd'))
       or (vraag in ('weet_waar_terecht', 'toegang_bereikbaar') and onderzoek = 'bewonersonderzoek')
),
g as (
    select indicator, p, gebied_code, uitsplitsing,
        count(*) filter (antwoord between 4 and 5)::double as teller,
        count(*) filter (antwoord between 1 and 5)::double as noemer,
        sum(weging) filter (antwoord between 4 and 5) as w45,
        sum(weging) filter (antwoord between 1 and 5) as w15,
        sum(weging * weging) filter (antwoord between 1 and 5) as ww15
    from a group by all
),
s as (
    select *, coalesce(w45, 0) / nullif(w15, 0) as pp, w15 * w15 / nullif(ww15, 0) as neff from g
)
select indicator, p, gebied_code, uitsplitsing, 100 * pp as waarde, teller, noemer,
    greatest(0, 100 * ((pp + 1.9208 / neff) - 1.96 * sqrt(pp * (1 - pp) / neff + 0.9604 / (neff * neff))) / (1 + 3.8416 / neff)) as ci_laag,
    least(100, 100 * ((pp + 1.9208 / neff) + 1.96 * sqrt(pp * (1 - pp) / neff + 0.9604 / (neff * neff))) / (1 + 3.8416 / neff)) as ci_hoog,
    null::bigint as n
from s;

create or replace temp table v_kanaal as
with a as (
    select pidx(d_melding) as p, unnest([(select gm from cfg), wijk_code]) as gebied_code, kanaal from wmo
),
tot as (select p, gebied_code, count(*)::double as noemer from a group by all),
per as (select p, gebied_code, kanaal, count(*)::double as teller from a where kanaal is not null group by all),
-- every kanaal seen at gemeente level in the period, for every area with meldingen (teller 0 when none)
k as (select distinct p, kanaal from per where gebied_code = (select gm from cfg))
select 'pct_kanaal' as indicator, tot.p, tot.gebied_code, 'kanaal=' || k.kanaal as uitsplitsing,
       100 * coalesce(teller, 0) / noemer as waarde, coalesce(teller, 0) as teller, noemer,
       null::double as ci_laag, null::double as ci_hoog, null::bigint as n
from tot join k using (p) left join per using (p, gebied_code, kanaal);

-- 2. voorliggend veld -------------------------------------------------------------------------
create or replace temp table v_voorliggend as
with q as (
    select pidx(d_melding) as p, wijk_code, uitkomst in ('eigen_kracht', 'sociaal_netwerk', 'algemene_voorziening') as vl
    from wmo where uitkomst in ('eigen_kracht', 'sociaal_netwerk', 'algemene_voorziening', 'maatwerkvoorziening')
    union all
    select pidx(d_melding), wijk_code, uitkomst in ('voorliggend_veld', 'lokaal_team')
    from jeugd where uitkomst in ('voorliggend_veld', 'lokaal_team', 'jeugdhulp_ambulant', 'jeugdhulp_verblijf', 'jeugdbescherming', 'jeugdreclassering')
    union all
    select pidx(d_contact), wijk_code, true from voorliggend where afgehandeld
),
a as (select p, unnest([(select gm from cfg), wijk_code]) as gebied_code, vl from q)
select 'pct_voorliggend' as indicator, p, gebied_code, '' as uitsplitsing,
       100 * count(*) filter (vl) / count(*) as waarde, count(*) filter (vl)::double as teller,
       count(*)::double as noemer, null::double as ci_laag, null::double as ci_hoog, null::bigint as n
from a group by all;

create or replace temp table v_perinh as
with m as (
    select per.p, unnest([(select gm from cfg), wijk_code]) as gebied_code, client_pseudo
    from wmo join periods per on d_start <= per.pend and (d_einde is null or d_einde >= per.pstart)
    where uitkomst = 'maatwerkvoorziening' and d_start is not null
),
j as (
    select per.p, unnest([(select gm from cfg), wijk_code]) as gebied_code, client_pseudo
    from jeugd join periods per on d_start <= per.pend and (d_einde is null or d_einde >= per.pstart)
    where uitkomst in ('jeugdhulp_ambulant', 'jeugdhulp_verblijf', 'jeugdbescherming', 'jeugdreclassering')
      and d_start is not null and per.pstart < geb + interval 23 year
)
select 'maatwerk_per_1000' as indicator, p, gebied_code, '' as uitsplitsing,
       1000 * count(distinct client_pseudo) / a.inwoners as waarde,
       count(distinct client_pseudo)::double as teller, a.inwoners as noemer,
       null::double as ci_laag, null::double as ci_hoog, null::bigint as n
from m join areas a using (gebied_code) where a.soort <> 'onbekend' group by p, gebied_code, a.inwoners
union all
select 'pct_jeugd_met_jeugdhulp', p, gebied_code, '',
       100 * count(distinct client_pseudo) / a.inwoners_0_22, count(distinct client_pseudo)::double,
       a.inwoners_0_22, null, null, null
from j join areas a using (gebied_code) where a.soort <> 'onbekend' group by p, gebied_code, a.inwoners_0_22;

-- 3. wachtlijsten en doorlooptijden -----------------------------------------------------------
create or replace temp table stages as
select 'wmo' as team, 'melding_gesprek' as stap, wijk_code, d_melding as s, d_gesprek as e,
       (select t_wmo_mg from cfg) as term, false as spoed
from wmo where d_melding is not null and not (d_gesprek is null and coalesce(uitkomst in ('geen', 'doorverwezen'), false))
union all
select 'wmo', 'aanvraag_besluit', wijk_code, d_aanvraag, d_besluit, (select t_wmo_ab from cfg), false
from wmo where d_aanvraag is not null and besluit is distinct from 'ingetrokken'
union all
select 'jeugd', 'melding_besluit', wijk_code, d_melding, d_besluit, (select t_jeugd from cfg), false
from jeugd where d_melding is not null and verwijzer = 'gemeente' and not (d_besluit is null and coalesce(uitkomst = 'geen', false))
union all
select 'inkomen', 'aanvraag_besluit', wijk_code, d_aanvraag, d_besluit, (select t_inkomen from cfg), false
from inkomen where d_aanvraag is not null and besluit is distinct from 'ingetrokken'
union all
select 'schuldhulp', 'aanmelding_eerste_gesprek', wijk_code, d_aanmelding, d_gesprek, (select t_shv from cfg), spoed
from schuldhulp where d_aanmelding is not null
union all
select 'bwmo', 'indicatie_plaatsing', 'onbekend', d_indicatie, d_plaatsing, null, false
from bwmo where d_indicatie is not null and status is distinct from 'ingetrokken';

create or replace temp table stap_list as
select * from (values ('wmo', 'melding_gesprek'), ('wmo', 'aanvraag_besluit'), ('jeugd', 'melding_besluit'),
    ('inkomen', 'aanvraag_besluit'), ('schuldhulp', 'aanmelding_eerste_gesprek'), ('bwmo', 'indicatie_plaatsing')) t(team, stap);

create or replace temp table v_wacht as
with sa as (select team, stap, s, e, term, spoed, unnest([(select gm from cfg), wijk_code]) as gebied_code from stages),
open_ as (   -- open on the period's last day
    select per.p, team, stap, gebied_code,
        count(*)::double as wachtend,
        count(*) filter (case when spoed then werkdagen(s, per.pend) > (select t_shv_spoed from cfg)
                              else datediff('day', s, per.pend) > term end)::double as laat
    from sa join periods per on s <= per.pend and (e is null or e > per.pend)
    group by all
),
ended as (   -- ended in the period
    select pidx(e) as p, team, stap, gebied_code, count(*) as n,
        quantile_cont(datediff('day', s, e), 0.5) as mediaan,
        quantile_cont(datediff('day', s, e), 0.8) as p80,
        count(*) filter (case when spoed then werkdagen(s, e) <= (select t_shv_spoed from cfg)
                              else datediff('day', s, e) <= term end)::double as binnen
    from sa where e is not null group by all
),
k as (
    select p, team, stap, gebied_code from open_ union select p, team, stap, gebied_code from ended
),
c as (
    select k.p, k.team, k.stap, k.gebied_code, 'stap=' || k.stap || ';team=' || k.team as uitsplitsing,
        coalesce(o.wachtend, 0) as wachtend, coalesce(o.laat, 0) as laat,
        coalesce(x.n, 0) as n, x.mediaan, x.p80, coalesce(x.binnen, 0) as binnen
    from k left join open_ o using (p, team, stap, gebied_code) left join ended x using (p, team, stap, gebied_code)
)
select 'wachtend' as indicator, p, gebied_code, uitsplitsing, wachtend as waarde, null::double as teller,
       null::double as noemer, null::double as ci_laag, null::double as ci_hoog, null::bigint as n from c
union all
select 'wachtend_langer_dan_termijn', p, gebied_code, uitsplitsing, laat, null, null, null, null, null from c where team <> 'bwmo'
union all
select 'doorlooptijd_mediaan', p, gebied_code, uitsplitsing, mediaan, null, null, null, null, n from c
union all
select 'doorlooptijd_p80', p, gebied_code, uitsplitsing, p80, null, null, null, null, n from c
union all
select 'pct_binnen_termijn', p, gebied_code, uitsplitsing, 100 * binnen / nullif(n + laat, 0), binnen, n + laat, null, null, null
from c where team <> 'bwmo';

-- 4. 18-/18+ ----------------------------------------------------------------------------------
create or replace temp table cohort as
with d as (
    select *, (geb + interval 18 year)::date as bday from jeugd
    where client_pseudo is not null and geb is not null and d_start is not null
      and uitkomst in ('jeugdhulp_ambulant', 'jeugdhulp_verblijf', 'jeugdbescherming', 'jeugdreclassering')
),
c as (
    select * from d where d_start <= bday and (d_einde is null or d_einde >= bday)
    qualify row_number() over (partition by client_pseudo order by d_start desc, dossiernummer desc) = 1
),
f as (
    select c.client_pseudo,
        coalesce((c.vervolg_na_18 = 'wmo' and exists (
            select 1 from wmo w where w.client_pseudo = c.client_pseudo
              and abs(datediff('day', c.bday, w.d_melding)) <= (select follow_up_dagen from cfg)))
        or (c.vervolg_na_18 = 'participatiewet' and exists (
            select 1 from inkomen i where i.client_pseudo = c.client_pseudo
              and abs(datediff('day', c.bday, i.d_aanvraag)) <= (select follow_up_dagen from cfg))), false) as gevonden
    from c
)
select c.client_pseudo, pidx(bday) as p, wijk_code,
    coalesce(d_toekomstplan <= (geb + interval 17 year + interval 6 month)::date, false) as tijdig,
    coalesce(verlengd, false) as verlengd,
    coalesce(verlengd, false) or coalesce(vervolg_na_18 in ('wlz', 'zvw_ggz', 'geen_nodig'), false) or f.gevonden as geregeld,
    not coalesce(verlengd, false) and coalesce(vervolg_na_18 in ('wmo', 'participatiewet'), false) and not f.gevonden as zorggat
from c join f using (client_pseudo);

create or replace temp table v_cohort as
with a as (select p, unnest([(select gm from cfg), wijk_code]) as gebied_code, tijdig, verlengd, geregeld, zorggat from cohort),
g as (
    select p, gebied_code, count(*)::double as n,
        count(*) filter (tijdig)::double as tijdig, count(*) filter (verlengd)::double as verlengd,
        count(*) filter (geregeld)::double as geregeld, count(*) filter (zorggat)::double as zorggat
    from a group by all
)
select 'cohort_18' as indicator, p, gebied_code, '' as uitsplitsing, n as waarde, null::double as teller,
       null::double as noemer, null::double as ci_laag, null::double as ci_hoog, null::bigint as n from g
union all select 'pct_toekomstplan_tijdig', p, gebied_code, '', 100 * tijdig / n, tijdig, n, null, null, null from g
union all select 'pct_verlengde_jeugdhulp', p, gebied_code, '', 100 * verlengd / n, verlengd, n, null, null, null from g
union all select 'pct_vervolg_geregeld', p, gebied_code, '', 100 * geregeld / n, geregeld, n, null, null, null from g
union all select 'pct_zorggat', p, gebied_code, '', 100 * zorggat / n, zorggat, n, null, null, null from g;

-- 5. capaciteit (gemeente only) ---------------------------------------------------------------
create or replace temp table v_cap as
with m as (select pidx(maand) as p, * from capaciteit),
g as (
    select p, team, sum(fte_bezet) as bezet, sum(fte_formatie) as formatie, avg(verzuim_pct) as verzuim,
           arg_max(fte_bezet, maand) as bezet_laatst
    from m group by all
),
w as (
    select p, split_part(uitsplitsing, ';team=', 2) as team, sum(waarde) as wachtend from v_wacht
    where indicator = 'wachtend' and gebied_code = (select gm from cfg)
    group by all
)
select 'bezettingsgraad' as indicator, p, (select gm from cfg) as gebied_code, 'team=' || team as uitsplitsing,
       100 * bezet / nullif(formatie, 0) as waarde, bezet as teller, formatie as noemer,
       null::double as ci_laag, null::double as ci_hoog, null::bigint as n from g
union all select 'verzuim_pct', p, (select gm from cfg), 'team=' || team, verzuim, null, null, null, null, null from g
union all select 'wachtend_per_fte', g.p, (select gm from cfg), 'team=' || g.team,
       coalesce(w.wachtend, 0) / nullif(bezet_laatst, 0), coalesce(w.wachtend, 0), bezet_laatst, null, null, null
from g left join w on w.p = g.p and w.team = g.team
-- only teams with waiting stages whose source has export files
where g.team in ('wmo', 'jeugd', 'inkomen', 'schuldhulp', 'bwmo')
  and not list_contains((select zonder_bestanden from cfg), g.team);

-- 6. vraagpatroon -----------------------------------------------------------------------------
create or replace temp table v_hulpvragen as
with q as (
    select pidx(d_melding) as p, wijk_code, hulpvraag_domein as domein from wmo where hulpvraag_domein is not null
    union all select pidx(d_contact), wijk_code, thema from voorliggend where thema is not null
)
select 'hulpvragen' as indicator, p, gebied_code, 'domein=' || domein as uitsplitsing, count(*)::double as waarde,
       null::double as teller, null::double as noemer, null::double as ci_laag, null::double as ci_hoog, null::bigint as n
from (select p, unnest([(select gm from cfg), wijk_code]) as gebied_code, domein from q)
group by all;

-- 8. integraliteit (gemeente only) ------------------------------------------------------------
create or replace temp table v_integraal as
with known as (
    select pidx(d_melding) as p, huishouden_pseudo as hh, 'wmo' as team from wmo where huishouden_pseudo is not null
    union all select per.p, huishouden_pseudo, 'wmo' from wmo join periods per
        on d_start <= per.pend and (d_einde is null or d_einde >= per.pstart) where huishouden_pseudo is not null
    union all select pidx(d_melding), huishouden_pseudo, 'jeugd' from jeugd where huishouden_pseudo is not null
    union all select per.p, huishouden_pseudo, 'jeugd' from jeugd join periods per
        on d_start <= per.pend and (d_einde is null or d_einde >= per.pstart) where huishouden_pseudo is not null
    union all select pidx(d_aanvraag), huishouden_pseudo, 'inkomen' from inkomen where huishouden_pseudo is not null
    union all select per.p, huishouden_pseudo, 'schuldhulp' from schuldhulp join periods per
        on d_aanmelding <= per.pend and (d_einde is null or d_einde >= per.pstart) where huishouden_pseudo is not null
    union all select pidx(d_contact), huishouden_pseudo, 'voorliggend' from voorliggend where huishouden_pseudo is not null
),
hh as (select p, hh, count(distinct team) as teams from known group by all),
g as (select p, count(*) filter (teams >= 2)::double as multi, count(*)::double as bekend from hh group by all)
select 'huishoudens_multi_team' as indicator, p, (select gm from cfg) as gebied_code, '' as uitsplitsing,
       multi as waarde, null::double as teller, null::double as noemer, null::double as ci_laag,
       null::double as ci_hoog, null::bigint as n from g
union all select 'pct_huishoudens_multi_team', p, (select gm from cfg), '', 100 * multi / bekend, multi, bekend, null, null, null from g
union all
select 'opschalingen', pidx(d_opschaling), (select gm from cfg), 'niveau=' || niveau || ';resultaat=' || resultaat,
       count(*), null, null, null, null, null
from regie where niveau is not null group by all;

create or replace temp table v_doorverwijzing as
with refs as (
    select 'wmo' as van, doorverwezen_naar as naar, d_melding as d, huishouden_pseudo as hh
    from wmo where doorverwezen_naar is not null
    union all
    select 'voorliggend', doorverwezen_naar, d_contact, huishouden_pseudo
    from voorliggend where doorverwezen_naar is not null
),
recv as (
    select 'wmo' as team, huishouden_pseudo as hh, d_melding as d from wmo
    union all select 'jeugd', huishouden_pseudo, d_melding from jeugd
    union all select 'inkomen', huishouden_pseudo, d_aanvraag from inkomen
    union all select 'schuldhulp', huishouden_pseudo, d_aanmelding from schuldhulp
    union all select 'voorliggend', huishouden_pseudo, d_contact from voorliggend
),
r as (select row_number() over () as id, * from refs),
picked as (
    select r.id, min(datediff('day', r.d, x.d)) as dagen
    from r join recv x on x.team = r.naar and x.hh = r.hh and x.d >= r.d
       and x.d <= r.d + (select doorverwijzing_dagen from cfg)
    group by r.id
),
g as (
    select pidx(r.d) as p, 'naar=' || naar || ';van=' || van as uitsplitsing, count(*)::double as n,
           count(picked.dagen) as n_picked, quantile_cont(picked.dagen, 0.5) as mediaan
    from r left join picked using (id) group by all
)
select 'doorverwijzingen' as indicator, p, (select gm from cfg) as gebied_code, uitsplitsing, n as waarde,
       null::double as teller, null::double as noemer, null::double as ci_laag, null::double as ci_hoog, null::bigint as n
from g
union all
select 'doorverwijzing_dagen_mediaan', p, (select gm from cfg), uitsplitsing, mediaan, null, null, null, null, n_picked from g;

-- ---------------------------------------------------------------------------------------------
-- the grid: indicator x period x area x breakdown, with each indicator's kind
-- ---------------------------------------------------------------------------------------------
create or replace temp table vals as
select * from v_vind union all select * from v_kanaal union all select * from v_voorliggend
union all select * from v_perinh union all select * from v_wacht union all select * from v_cohort
union all select * from v_cap union all select * from v_hulpvragen union all select * from v_integraal
union all select * from v_doorverwijzing;

create or replace temp table ind as
select * from (values
    ('pct_wist_waar', 'ratio', 'all', 'onderzoek'), ('pct_weet_waar_terecht', 'ratio', 'all', 'onderzoek'),
    ('pct_toegang_bereikbaar', 'ratio', 'all', 'onderzoek'), ('pct_kanaal', 'ratio', 'all', 'data'),
    ('pct_voorliggend', 'ratio', 'all', 'none'),
    ('maatwerk_per_1000', 'perinh', 'inh', 'none'), ('pct_jeugd_met_jeugdhulp', 'perinh', 'inh', 'none'),
    ('wachtend', 'count', 'all', 'stap'), ('wachtend_langer_dan_termijn', 'count', 'all', 'stap_term'),
    ('doorlooptijd_mediaan', 'median', 'all', 'stap'), ('doorlooptijd_p80', 'median', 'all', 'stap'),
    ('pct_binnen_termijn', 'ratio', 'all', 'stap_term'),
    ('cohort_18', 'count', 'all', 'none'), ('pct_toekomstplan_tijdig', 'ratio', 'all', 'none'),
    ('pct_verlengde_jeugdhulp', 'ratio', 'all', 'none'), ('pct_vervolg_geregeld', 'ratio', 'all', 'none'),
    ('pct_zorggat', 'ratio', 'all', 'none'),
    ('bezettingsgraad', 'cap', 'gm', 'data'), ('verzuim_pct', 'cap', 'gm', 'data'),
    ('wachtend_per_fte', 'capfte', 'gm', 'data'),
    ('hulpvragen', 'count', 'all', 'data'),
    ('huishoudens_multi_team', 'count', 'gm', 'none'), ('pct_huishoudens_multi_team', 'ratio', 'gm', 'none'),
    ('opschalingen', 'count', 'gm', 'data'), ('doorverwijzingen', 'count', 'gm', 'data'),
    ('doorverwijzing_dagen_mediaan', 'median', 'gm', 'data')
) t(indicator, kind, scope, breakdown);

-- the sources each indicator needs: absent (no rows) when any of them has no export files
create or replace temp table ind_bron as
select indicator, unnest(bronnen) as bron from (values
    ('pct_wist_waar', ['enquete']), ('pct_weet_waar_terecht', ['enquete']), ('pct_toegang_bereikbaar', ['enquete']),
    ('pct_kanaal', ['wmo']), ('pct_voorliggend', ['wmo', 'jeugd', 'voorliggend']),
    ('verschuiving_pp_vorig', ['wmo', 'jeugd', 'voorliggend']), ('verschuiving_pp_basis', ['wmo', 'jeugd', 'voorliggend']),
    ('maatwerk_per_1000', ['wmo']), ('pct_jeugd_met_jeugdhulp', ['jeugd']),
    ('cohort_18', ['jeugd']), ('pct_toekomstplan_tijdig', ['jeugd']), ('pct_verlengde_jeugdhulp', ['jeugd']),
    ('pct_vervolg_geregeld', ['jeugd', 'wmo', 'inkomen']), ('pct_zorggat', ['jeugd', 'wmo', 'inkomen']),
    ('bezettingsgraad', ['capaciteit']), ('verzuim_pct', ['capaciteit']), ('wachtend_per_fte', ['capaciteit']),
    ('hulpvragen', ['wmo', 'voorliggend']),
    ('huishoudens_multi_team', ['wmo', 'jeugd', 'inkomen', 'schuldhulp', 'voorliggend']),
    ('pct_huishoudens_multi_team', ['wmo', 'jeugd', 'inkomen', 'schuldhulp', 'voorliggend']),
    ('opschalingen', ['regie'])
) t(indicator, bronnen);

create or replace temp table absent as
select distinct indicator from ind_bron where list_contains((select zonder_bestanden from cfg), bron);

create or replace temp table grid as
with bk as (
    -- breakdowns that occur at gemeente level in the period
    select distinct v.indicator, v.p, v.uitsplitsing from vals v join ind using (indicator)
    where ind.breakdown = 'data' and v.gebied_code = (select gm from cfg)
    union all
    select i.indicator, per.p, '' from ind i, periods per where i.breakdown = 'none'
    union all
    -- survey questions: always the onderzoeken that ask them
    select i.indicator, per.p, 'onderzoek=' || o.onderzoek from ind i, periods per,
        (values ('pct_wist_waar', 'ceo_wmo'), ('pct_wist_waar', 'ceo_jeugd'), ('pct_weet_waar_terecht', 'bewonersonderzoek'),
                ('pct_toegang_bereikbaar', 'bewonersonderzoek')) o(indicator, onderzoek)
    where i.breakdown = 'onderzoek' and o.indicator = i.indicator
    union all
    select i.indicator, per.p, 'stap=' || s.stap || ';team=' || s.team from ind i, periods per, stap_list s
    where (i.breakdown = 'stap' or (i.breakdown = 'stap_term' and s.team <> 'bwmo'))
      and not list_contains((select zonder_bestanden from cfg), s.team)   -- a team without files has no stages
)
select bk.indicator, ind.kind, bk.p, sa.gebied_code, bk.uitsplitsing
from bk join ind using (indicator) join scope_areas sa on sa.scope = ind.scope
where bk.p in (select p from periods)
  and bk.indicator not in (select indicator from absent)
  -- the referral median needs the receiving team's records
  and not (bk.indicator = 'doorverwijzing_dagen_mediaan'
           and list_contains((select zonder_bestanden from cfg), split_part(split_part(bk.uitsplitsing, 'naar=', 2), ';', 1)));

-- primary suppression
create or replace temp table cells as
with j as (
    select g.indicator, g.kind, g.p, g.gebied_code, g.uitsplitsing,
        case when g.kind in ('count', 'perinh') then coalesce(v.waarde, 0) else v.waarde end as waarde,
        case when g.kind in ('perinh', 'ratio') then coalesce(v.teller, 0) else v.teller end as teller,
        case when g.indicator = 'maatwerk_per_1000' then a.inwoners
             when g.indicator = 'pct_jeugd_met_jeugdhulp' then a.inwoners_0_22
             when g.kind = 'ratio' then coalesce(v.noemer, 0) else v.noemer end as noemer,
        v.ci_laag, v.ci_hoog, coalesce(v.n, 0) as n
    from grid g left join vals v using (indicator, p, gebied_code, uitsplitsing)
    left join areas a using (gebied_code)
)
select *,
    case when kind = 'count' then waarde >= 1 and waarde < (select min_telling from cfg)
         when kind in ('perinh', 'capfte') then teller >= 1 and teller < (select min_telling from cfg)
         when kind = 'ratio' then noemer < (select min_noemer from cfg)
         when kind = 'median' then n < (select min_noemer from cfg)
         else false end as primair
from j;

-- secondary suppression: where exactly one area below the gemeente is suppressed, also the
-- unsuppressed one with the smallest noemer (counts: value; ties: lowest code)
create or replace temp table secundair as
with sub as (
    select * from cells
    where kind in ('count', 'ratio', 'perinh') and gebied_code <> (select gm from cfg)
),
grp as (
    select indicator, p, uitsplitsing from sub group by all having count(*) filter (primair) = 1
)
select indicator, p, uitsplitsing,
       arg_min(gebied_code, (case when kind = 'count' then waarde else noemer end, gebied_code)) as gebied_code
from sub join grp using (indicator, p, uitsplitsing)
where not primair
group by all;

create or replace temp table final_cells as
select c.*, s.gebied_code is not null as secundair_
from cells c left join secundair s using (indicator, p, uitsplitsing, gebied_code);

-- verschuiving: from the published shares; suppressed when either share is
create or replace temp table v_shift as
with pv as (
    select p, gebied_code, waarde, primair or secundair_ as onderdrukt from final_cells
    where indicator = 'pct_voorliggend'
),
base as (select * from pv where p = (select left(basisperiode, 4)::int * 2 + (right(basisperiode, 1) = '2')::int from cfg))
select 'verschuiving_pp_vorig' as indicator, cur.p, cur.gebied_code,
       case when not (cur.onderdrukt or prev.onderdrukt) then cur.waarde - prev.waarde end as waarde,
       cur.onderdrukt or prev.onderdrukt as onderdrukt
from pv cur join pv prev on prev.gebied_code = cur.gebied_code and prev.p = cur.p - 1
union all
select 'verschuiving_pp_basis', cur.p, cur.gebied_code,
       case when not (cur.onderdrukt or coalesce(base.onderdrukt, true)) then cur.waarde - base.waarde end,
       cur.onderdrukt or coalesce(base.onderdrukt, true)
from pv cur left join base using (gebied_code);

create or replace table fct_indicator as
select indicator, pnaam(p) as periode, gebied_code, uitsplitsing,
    case when o then null else waarde end::double as waarde,
    case when o then null else teller end::double as teller,
    case when o then null else noemer end::double as noemer,
    case when o then null else ci_laag end::double as ci_laag,
    case when o then null else ci_hoog end::double as ci_hoog,
    o as onderdrukt,
    case when not o then null
         when secundair_ and not primair then 'secundaire onderdrukking: anders terug te rekenen'
         when kind = 'count' or kind in ('perinh', 'capfte') then 'kleine aantallen (1 t/m ' || ((select min_telling from cfg) - 1) || ')'
         when kind = 'median' then 'minder dan ' || (select min_noemer from cfg) || ' trajecten'
         else 'noemer kleiner dan ' || (select min_noemer from cfg) end as reden_onderdrukt
from (select *, primair or secundair_ as o from final_cells)
union all
select indicator, pnaam(p), gebied_code, '', waarde, null, null, null, null, onderdrukt,
       case when onderdrukt then 'afgeleid van een onderdrukt percentage' end
from v_shift;
