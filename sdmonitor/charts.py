"""Altair chart specs for the monitor: one function per chart kind, used by dashboard and report.

Every chart takes a tidy DataFrame in one of the shapes below, so the frame a page downloads is
exactly the frame the chart draws:

* trend:   periode, periode_label, reeks, waarde, [ci_laag, ci_hoog], waarde_tekst, toelichting,
           onderdrukt
* staven:  categorie, [reeks], waarde, [ci_laag, ci_hoog], waarde_tekst, toelichting, onderdrukt
* raster:  gebied_code, gebied_naam, rij, kolom, waarde, waarde_tekst, toelichting, onderdrukt

Colours are Okabe-Ito (safe for the common colour-vision deficiencies) and every series also gets
its own point shape and line dash, and values are written as text: colour is never the only cue.
Numbers follow nl-NL through Vega's locale config ("1.234,5").
"""

from __future__ import annotations

import altair as alt
import pandas as pd

# Okabe & Ito (2008), without yellow (too little contrast on white for lines and text).
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
VORMEN = ["circle", "square", "triangle-up", "diamond", "triangle-down", "cross", "triangle-left"]
STREEPJES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [10, 2], [1, 3]]
NORM_KLEUR = "#000000"
ONDERDRUKT_KLEUR = "#BBBBBB"
# A sequential, colour-blind-safe scale for the wijk grid (light to dark blue).
RASTER_SCHEMA = "blues"

NL_LOCALE = {
    "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€\u00a0", ""]},
    "time": {
        "dateTime": "%a %e %B %Y %X", "date": "%d-%m-%Y", "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
        "shortDays": ["zo", "ma", "di", "wo", "do", "vr", "za"],
        "months": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                   "september", "oktober", "november", "december"],
        "shortMonths": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt",
                        "nov", "dec"],
    },
}
ONDERDRUKT_TEKEN = "×"
MAX_VOLLE_LABELS = 8

# Building a chart: the layers carry no data of their own; the frame is given once, to the
# layer chart, and the configuration in the same constructor. Data on every layer made Altair
# compare the layers' frames by their text (a repr per layer) to hoist them, and each
# .configure_*() call deep-copies the whole chart; both cost more than the rest of the chart.


def _af(lagen: list, df: pd.DataFrame, titel: str | None = None, **eigenschappen) -> alt.LayerChart:
    """The top-level layer chart with the shared finish: nl-NL locale, readable fonts, title."""
    if titel:
        eigenschappen["title"] = alt.TitleParams(titel, anchor="start", fontSize=14)
    config = alt.Config(
        locale=NL_LOCALE,
        axis=alt.AxisConfig(labelFontSize=12, titleFontSize=12),
        legend=alt.LegendConfig(labelFontSize=12, orient="bottom", labelLimit=320),
    )
    return alt.LayerChart(layer=lagen, data=df, config=config, **eigenschappen)


def _reeks_schalen(reeksen: list[str]) -> tuple[alt.Color, alt.Shape, alt.StrokeDash]:
    """Colour, shape and dash on the same field and domain, so Vega merges them into one legend."""
    n = len(reeksen)
    kleur = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]
    vorm = [VORMEN[i % len(VORMEN)] for i in range(n)]
    streep = [STREEPJES[i % len(STREEPJES)] for i in range(n)]
    leg = alt.Legend(title=None, symbolStrokeWidth=2, symbolSize=90, direction="vertical")
    return (
        alt.Color("reeks:N", scale=alt.Scale(domain=reeksen, range=kleur), legend=leg),
        alt.Shape("reeks:N", scale=alt.Scale(domain=reeksen, range=vorm), legend=leg),
        alt.StrokeDash("reeks:N", scale=alt.Scale(domain=reeksen, range=streep), legend=leg),
    )


def _tooltip(*extra: alt.Tooltip) -> list[alt.Tooltip]:
    return [*extra, alt.Tooltip("waarde_tekst:N", title="Waarde"),
            alt.Tooltip("toelichting:N", title="Toelichting")]


def _norm(norm: float | None, norm_label: str | None, as_: str) -> alt.Chart | None:
    """A black dashed rule with its own label: the legal term, where there is no benchmark."""
    if norm is None:
        return None
    data = pd.DataFrame({"norm": [float(norm)], "label": [norm_label or "norm"]})
    enc = {as_: alt.X("norm:Q") if as_ == "x" else alt.Y("norm:Q")}
    regel = alt.Chart().mark_rule(color=NORM_KLEUR, strokeDash=[8, 4], strokeWidth=2).encode(
        **enc, tooltip=[alt.Tooltip("label:N", title="Norm")]
    )
    tekst = alt.Chart().mark_text(
        align="left", dx=4, dy=-6 if as_ == "y" else 0, baseline="bottom", fontSize=12,
        color=NORM_KLEUR,
    ).encode(**enc, text="label:N", **({"x": alt.value(4)} if as_ == "y" else {"y": alt.value(8)}))
    return alt.layer(regel, tekst, data=data)


def trend(
    df: pd.DataFrame,
    titel: str | None = None,
    as_titel: str | None = None,
    norm: float | None = None,
    norm_label: str | None = None,
) -> alt.TopLevelMixin:
    """Lines over the half-years, one per reeks, 95% intervals as bands, norm as a rule.

    Suppressed cells break the line and show a '×' on the axis with the reason as tooltip.
    """
    reeksen = list(dict.fromkeys(df["reeks"]))
    volgorde = list(dict.fromkeys(df.sort_values("periode")["periode_label"]))
    kleur, vorm, streep = _reeks_schalen(reeksen)
    # Few periods: "1e halfjaar 2025" on two lines. Many: only the year, under its first
    # half-year, so labels never overlap (the tooltip names the exact period).
    label_expr = ("[slice(datum.label, 0, -5), slice(datum.label, -4)]" if len(volgorde) <= MAX_VOLLE_LABELS
                  else "indexof(datum.label, '1e') == 0 ? slice(datum.label, -4) : ''")
    x = alt.X("periode_label:N", sort=volgorde, title=None, axis=alt.Axis(
        labelAngle=0, labelOverlap=False, labelExpr=label_expr))
    y = alt.Y("waarde:Q", title=as_titel, axis=alt.Axis(format=",.0f"))
    basis = alt.Chart().encode(x=x)
    lagen = []
    # A suppressed (null) value breaks the line: neither bridged nor drawn as 0.
    lagen.append(basis.mark_line(strokeWidth=2.5, invalid="break-paths-show-domains").encode(y=y, color=kleur, strokeDash=streep))
    lagen.append(
        basis.mark_point(filled=True, size=80, opacity=1).encode(
            y=y, color=kleur, shape=vorm,
            tooltip=_tooltip(alt.Tooltip("reeks:N", title="Reeks"),
                             alt.Tooltip("periode_label:N", title="Periode")),
        )
    )
    # Bands after lines and points: Vega takes the legend's symbol from the first layer.
    if {"ci_laag", "ci_hoog"} <= set(df.columns) and df["ci_laag"].notna().any():
        lagen.append(
            basis.transform_filter("isValid(datum.ci_laag)")
            .mark_area(opacity=0.18)
            .encode(y=alt.Y("ci_laag:Q", title=as_titel), y2="ci_hoog:Q",
                    color=kleur,
                    tooltip=_tooltip(alt.Tooltip("reeks:N", title="Reeks"),
                                     alt.Tooltip("periode_label:N", title="Periode")))
        )
    if df["onderdrukt"].any():
        lagen.append(
            basis.transform_filter("datum.onderdrukt").mark_text(
                text=ONDERDRUKT_TEKEN, fontSize=18, color=ONDERDRUKT_KLEUR, fontWeight="bold"
            ).encode(y=alt.datum(0), tooltip=_tooltip(alt.Tooltip("reeks:N", title="Reeks"),
                                                       alt.Tooltip("periode_label:N", title="Periode")))
        )
    if (n := _norm(norm, norm_label, "y")) is not None:
        lagen.append(n)
    return _af(lagen, df, titel, height=300, width="container")


def staven(
    df: pd.DataFrame,
    titel: str | None = None,
    as_titel: str | None = None,
    norm: float | None = None,
    norm_label: str | None = None,
) -> alt.TopLevelMixin:
    """Horizontal bars per categorie (optionally grouped by reeks), values written beside them.

    Suppressed cells get no bar but the word 'onderdrukt' with the reason as tooltip.
    """
    categorieen = list(dict.fromkeys(df["categorie"]))
    heeft_reeks = "reeks" in df.columns and df["reeks"].nunique() > 1
    y = alt.Y("categorie:N", sort=categorieen, title=None,
              axis=alt.Axis(labelLimit=260, labelOverlap=False))
    x = alt.X("waarde:Q", title=as_titel, axis=alt.Axis(format=",.0f"))
    basis = alt.Chart().encode(y=y)
    tip = _tooltip(alt.Tooltip("categorie:N", title="Categorie"),
                   *([alt.Tooltip("reeks:N", title="Reeks")] if heeft_reeks else []))
    extra = {}
    if heeft_reeks:
        kleur, _, _ = _reeks_schalen(list(dict.fromkeys(df["reeks"])))
        extra = {"color": kleur, "yOffset": alt.YOffset("reeks:N", sort=list(dict.fromkeys(df["reeks"])))}
    lagen = [basis.mark_bar(color=OKABE_ITO[0]).encode(x=x, tooltip=tip, **extra)]
    if {"ci_laag", "ci_hoog"} <= set(df.columns) and df["ci_laag"].notna().any():
        lagen.append(basis.mark_rule(color="#000000").encode(x="ci_laag:Q", x2="ci_hoog:Q",
                                                              tooltip=tip, **({"yOffset": extra["yOffset"]} if heeft_reeks else {})))
    # The value as text beside the bar (suppressed rows say so instead): never colour alone.
    lagen.append(
        basis.mark_text(align="left", dx=4, fontSize=12).encode(
            x=alt.X("waarde_label_x:Q"), text="waarde_tekst:N", tooltip=tip,
            **({"yOffset": extra["yOffset"]} if heeft_reeks else {}),
        ).transform_calculate(waarde_label_x="isValid(datum.waarde) ? datum.waarde : 0")
    )
    if "norm" in df.columns and df["norm"].notna().any():
        # Per-category norm (each stage its own legal term): a black tick across the bar.
        lagen.append(
            basis.transform_filter("isValid(datum.norm)").mark_tick(
                color=NORM_KLEUR, thickness=3, size=22
            ).encode(x=alt.X("norm:Q"), tooltip=[alt.Tooltip("norm:Q", title="Wettelijke termijn (dagen)")])
        )
    if (n := _norm(norm, norm_label, "x")) is not None:
        lagen.append(n)
    hoogte = max(150, 36 * len(categorieen) * (df["reeks"].nunique() if heeft_reeks else 1))
    return _af(lagen, df, titel, height=hoogte, width="container")


def raster(df: pd.DataFrame, titel: str | None = None, selectie: str = "wijk",
           gekozen: str | None = None) -> alt.TopLevelMixin:
    """A tile grid of the wijken: darker = higher, name and value written on each tile.

    A click on a tile selects that wijk (point selection named `selectie`, field gebied_code);
    the dashboard reads it for the drill-down.
    """
    klik = alt.selection_point(name=selectie, fields=["gebied_code"], on="click", clear="dblclick",
                               value=[{"gebied_code": gekozen}] if gekozen else alt.Undefined)
    tip = _tooltip(alt.Tooltip("gebied_naam:N", title="Wijk"))
    # licht: the tile's value is in the lower part of the range, so its fill is light.
    basis = alt.Chart().transform_joinaggregate(
        _min="min(waarde)", _max="max(waarde)"
    ).transform_calculate(
        licht="datum.onderdrukt || !isValid(datum.waarde) || datum._max == datum._min"
              " || (datum.waarde - datum._min) / (datum._max - datum._min) < 0.6"
    ).encode(x=alt.X("kolom:O", axis=None), y=alt.Y("rij:O", axis=None))
    # invalid="show": a suppressed (null) tile is drawn grey, not dropped from the grid.
    tegel = basis.mark_rect(cornerRadius=6, invalid="show").encode(
        color=alt.condition(
            "datum.onderdrukt || !isValid(datum.waarde)",
            alt.value(ONDERDRUKT_KLEUR),
            alt.Color("waarde:Q", scale=alt.Scale(scheme=RASTER_SCHEMA), legend=alt.Legend(
                title="Waarde", orient="right", format=",.0f")),
        ),
        # The chosen wijk gets a thick black border; the others keep their colour (fading them
        # would make their text unreadable).
        stroke=alt.condition(klik, alt.value("#000000"), alt.value("#FFFFFF"), empty=False),
        strokeWidth=alt.condition(klik, alt.value(4), alt.value(3), empty=False),
        tooltip=tip,
    ).add_params(klik)
    # Dark text on light tiles and white on dark ones: readable without relying on the colour.
    tekstkleur = alt.condition("datum.licht", alt.value("#000000"), alt.value("#FFFFFF"))
    naam = basis.mark_text(dy=-10, fontSize=12, fontWeight="bold", limit=190).encode(
        text="gebied_naam:N", color=tekstkleur, tooltip=tip)
    waarde = basis.mark_text(dy=10, fontSize=13).encode(text="waarde_tekst:N", color=tekstkleur, tooltip=tip)
    rijen = int(df["rij"].max()) + 1 if len(df) else 1
    return _af([tegel, naam, waarde], df, titel, height=78 * rijen, width="container")


def zet_keuze(spec: dict, selectie: str = "wijk", gekozen: str | None = None) -> dict:
    """Set (or clear) the chosen tile in a raster spec already turned into a dict: the same
    spec as raster(..., gekozen=...) builds, so the dashboard builds the grid once per frame and
    not once per chosen wijk. Changes `spec` in place and returns it."""
    for param in spec.get("params", []):
        if param.get("name") == selectie:
            if gekozen:
                param["value"] = [{"gebied_code": gekozen}]
            else:
                param.pop("value", None)
    return spec


def raster_posities(n: int, kolommen: int = 4) -> list[tuple[int, int]]:
    """(rij, kolom) for n tiles in reading order."""
    return [(i // kolommen, i % kolommen) for i in range(n)]
