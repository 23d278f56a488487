"""Chart specs: nl-NL locale, colour never the only cue, tooltips, suppressed cells visible."""

import json

import altair as alt
import pandas as pd
import pytest

from sdmonitor import charts


def _trend_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "periode": ["2024-H1", "2024-H2", "2024-H1", "2024-H2"],
        "periode_label": ["1e halfjaar 2024", "2e halfjaar 2024"] * 2,
        "reeks": ["Deventer", "Deventer", "Nederland (benchmark)", "Nederland (benchmark)"],
        "waarde": [50.0, None, 60.0, 61.0],
        "ci_laag": [45.0, None, None, None],
        "ci_hoog": [55.0, None, None, None],
        "waarde_tekst": ["50,0%", "onderdrukt", "60,0%", "61,0%"],
        "toelichting": ["", "onderdrukt: noemer kleiner dan 10", "Nederland, jaar 2024", ""],
        "onderdrukt": [False, True, False, False],
    })


def _spec(chart) -> dict:
    return chart.to_dict()


def _layers(spec: dict) -> list[dict]:
    out = []
    for laag in spec.get("layer", []):
        out.extend(_layers(laag) if "layer" in laag else [laag])
    return out


def _mark(laag: dict) -> str:
    m = laag["mark"]
    return m if isinstance(m, str) else m["type"]


def test_every_chart_uses_the_dutch_number_locale():
    spec = _spec(charts.trend(_trend_frame()))
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["thousands"] == "."


def test_series_differ_in_shape_and_dash_not_only_colour():
    spec = _spec(charts.trend(_trend_frame()))
    enc = [laag["encoding"] for laag in _layers(spec)]
    assert any("shape" in e and e["shape"]["field"] == "reeks" for e in enc)
    assert any("strokeDash" in e and e["strokeDash"]["field"] == "reeks" for e in enc)
    kleuren = next(e["color"]["scale"]["range"] for e in enc if "color" in e and "scale" in e["color"])
    assert all(k in charts.OKABE_ITO for k in kleuren)
    assert len(set(kleuren)) == 2


def test_intervals_are_drawn_as_a_band_and_suppressed_cells_as_a_mark_with_reason():
    lagen = _layers(_spec(charts.trend(_trend_frame())))
    assert "area" in [_mark(laag) for laag in lagen]
    onderdrukt = [laag for laag in lagen if any(
        t.get("filter") == "datum.onderdrukt" for t in laag.get("transform", []))]
    assert onderdrukt, "suppressed cells must be drawn, not silently left out"
    assert any(t["field"] == "toelichting" for t in onderdrukt[0]["encoding"]["tooltip"])


def test_the_norm_is_a_labelled_rule():
    lagen = _layers(_spec(charts.trend(_trend_frame(), norm=42, norm_label="wettelijke termijn 42 dagen")))
    assert "rule" in [_mark(laag) for laag in lagen]
    assert "wettelijke termijn 42 dagen" in json.dumps(_spec(charts.trend(_trend_frame(), norm=42,
                                                                         norm_label="wettelijke termijn 42 dagen")))


@pytest.mark.parametrize("met_reeks", [False, True])
def test_bars_write_their_value_as_text_and_have_tooltips(met_reeks):
    df = _trend_frame().rename(columns={"periode_label": "categorie"})
    if not met_reeks:
        df = df[df["reeks"] == "Deventer"]
    df["norm"] = 42.0
    lagen = _layers(_spec(charts.staven(df)))
    assert any(_mark(laag) == "text" and laag["encoding"]["text"]["field"] == "waarde_tekst" for laag in lagen)
    assert "tick" in [_mark(laag) for laag in lagen]  # per-stage norm
    assert all("tooltip" in laag["encoding"] for laag in lagen if _mark(laag) in ("bar", "text"))


def test_wijk_grid_is_clickable_and_names_each_tile():
    df = pd.DataFrame({
        "gebied_code": ["WK1", "WK2"], "gebied_naam": ["Binnenstad", "Zandweerd"],
        "rij": [0, 0], "kolom": [0, 1], "waarde": [10.0, None],
        "waarde_tekst": ["10,0%", "onderdrukt"], "toelichting": ["", "onderdrukt: te klein"],
        "onderdrukt": [False, True],
    })
    spec = _spec(charts.raster(df, selectie="wijk"))
    params = json.dumps(spec.get("params", [])) + json.dumps([laag.get("params") for laag in _layers(spec)])
    assert '"wijk"' in params and "gebied_code" in params
    teksten = [laag["encoding"]["text"]["field"] for laag in _layers(spec) if _mark(laag) == "text"]
    assert teksten == ["gebied_naam", "waarde_tekst"]


def test_altair_row_limit_stays_on():
    # Row-level data must never reach a chart; the 5,000-row guard stays as Altair ships it.
    assert alt.data_transformers.options.get("max_rows", 5000) == 5000


def test_raster_positions_fill_rows_in_reading_order():
    assert charts.raster_posities(5, kolommen=4) == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0)]


def _raster_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "gebied_code": ["WK1", "WK2", "WK3"], "gebied_naam": ["Binnenstad", "Zandweerd", "Keizerslanden"],
        "rij": [0, 0, 0], "kolom": [0, 1, 2], "waarde": [10.0, None, 30.0],
        "waarde_tekst": ["10,0%", "onderdrukt", "30,0%"], "toelichting": ["", "onderdrukt: te klein", ""],
        "onderdrukt": [False, True, False],
    })


def _zonder_namen(spec: dict) -> dict:
    """The spec with Altair's generated view names and the dataset names made neutral, and each
    dataset read back from the Arrow bytes or frame it was sent as."""
    import re

    import pyarrow as pa
    from streamlit.dataframe_util import convert_anything_to_arrow_bytes

    spec = dict(spec)
    datasets = spec.pop("datasets", {})
    tekst = re.sub(r"view_[0-9a-zA-Z_]+", "VIEW", json.dumps(spec, sort_keys=True))
    for i, naam in enumerate(sorted(datasets, key=tekst.find)):
        tekst = tekst.replace(naam, f"DATA{i}")
    gelezen = [pa.ipc.open_stream(d if isinstance(d, bytes) else convert_anything_to_arrow_bytes(d)).read_pandas()
               for _, d in sorted(datasets.items(), key=lambda kv: tekst.find(kv[0]))]
    return {"spec": json.loads(tekst),
            "data": [d.astype(object).where(d.notna(), None).to_dict("list") for d in gelezen]}


@pytest.mark.parametrize("maak,df,args", [
    (charts.trend, _trend_frame(), {"as_titel": "%"}),
    (charts.trend, _trend_frame(), {"as_titel": "dagen", "norm": 42.0, "norm_label": "wettelijke termijn 42 dagen"}),
    (charts.staven, _trend_frame().rename(columns={"periode_label": "categorie"}), {"as_titel": "%"}),
    (charts.raster, _raster_frame(), {"selectie": "wijk"}),
])
def test_the_dashboard_sends_the_spec_st_altair_chart_would(maak, df, args):
    """The dashboard builds each chart's Vega-Lite spec once and sends it with st.vega_lite_chart
    (dashboard/components.py: vega_spec); it must be the spec st.altair_chart makes of the chart."""
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    from dashboard.components import vega_spec

    verwacht = _convert_altair_to_vega_lite_spec(maak(df, **args))
    assert _zonder_namen(vega_spec(maak, df, **args)) == _zonder_namen(verwacht)


def test_choosing_a_tile_in_a_built_grid_spec_equals_building_it_with_that_choice():
    from dashboard.components import vega_spec

    for gekozen in ("WK3", None):
        basis = vega_spec(charts.raster, _raster_frame(), selectie="wijk")  # a fresh dict per call
        gebouwd = vega_spec(charts.raster, _raster_frame(), selectie="wijk", gekozen=gekozen)
        assert _zonder_namen(charts.zet_keuze(basis, "wijk", gekozen)) == _zonder_namen(gebouwd)
