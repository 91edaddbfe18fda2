"""Import, export, printing and the PDF report (File › Import, Export, Print)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from vsmapper import __version__
from vsmapper.analysis import FlowAnalysis, ScenarioComparison, analyze, compare, sensitivity
from vsmapper.analysis.forecast import Forecast, forecast
from vsmapper.analysis.queues import QueueChange
from vsmapper.errors import VSMapperError
from vsmapper.io.atomic import write_atomically
from vsmapper.io.exports import (
    CURRENT_STATE,
    EXPORT_SUFFIXES,
    PICTURE_SUFFIXES,
    export_data,
    export_suffix,
    future_state,
)
from vsmapper.io.spreadsheet import import_spreadsheet
from vsmapper.layout import Room
from vsmapper.model import ValueStream
from vsmapper.model.duration import share_text

if TYPE_CHECKING:
    from vsmapper.history.measure import Measurement
from vsmapper.ui import theme
from vsmapper.ui.canvas.items import TITLE_SIZES
from vsmapper.ui.canvas.notes import NoteLayer
from vsmapper.ui.canvas.render import SLIDE, map_source_rect, paint_map, save_png, save_svg
from vsmapper.ui.canvas.scene import PRESENTATION_ROOM, MapScene
from vsmapper.ui.dialogs import resize_for_screen
from vsmapper.ui.measured_report import draw_measured_page
from vsmapper.ui.metrics import status_text
from vsmapper.ui.plan_report import draw_plan_pages
from vsmapper.ui.stage_names import NAME_ELIDE, fit_label
from vsmapper.ui.units import cost_text, money_text, rolled_pca_text, show_hours

IMPORT_FILTER = "Spreadsheets (*.xlsx *.csv);;Excel workbooks (*.xlsx);;CSV files (*.csv)"
EXPORT_FILTERS: dict[str, str] = {
    "Excel workbook with live totals (*.xlsx)": ".xlsx",
    "PDF report (*.pdf)": ".pdf",
    "PNG picture (*.png)": ".png",
    "SVG drawing (*.svg)": ".svg",
    "CSV stage table (*.csv)": ".csv",
    "VSMapper map (*.vsm.json)": ".vsm.json",
}
"""File-dialog filter → the extension it writes; join the keys with ';;' for the dialog."""
EXPORT_FILTER = ";;".join(EXPORT_FILTERS)
REPORT_SEED = 20240601
"""The report's forecast is seeded, so the same map always gives the same page."""
REPORT_TRIALS = 10_000
POINTS_PER_INCH = 72
PDF_RESOLUTION = 1200
REPORT_NAME_SIZE = 11.0
"""Stage names larger than this many points gain nothing on paper worth another lane."""
REPORT_LEAST_NAME_SIZE = 9.0
"""Stage names on the report's map page are at least this many points: read on paper."""

_application: QApplication | None = None


def import_map(path: str | os.PathLike[str], notices: list[str] | None = None) -> ValueStream:
    """A map from a ``.xlsx`` or ``.csv`` file (File › Import); problems in the error's details,
    how it was read (columns left out, fractions) added to ``notices``."""
    return import_spreadsheet(path, notices=notices)


def path_with_suffix(path: str | os.PathLike[str], selected_filter: str) -> Path:
    """The path a user typed, with the extension of the chosen filter when it has none."""
    path = Path(path)
    if export_suffix(path) is None and selected_filter in EXPORT_FILTERS:
        return path.with_name(path.name + EXPORT_FILTERS[selected_filter])
    return path


def export_map(
    stream: ValueStream,
    path: str | os.PathLike[str],
    scenario: str | None = None,
    scale: float = 2.0,
    forecast_result: Forecast | None = None,
    measurement: Measurement | None = None,
) -> None:
    """Write the map to ``path`` by its extension (File › Export).

    ``scenario`` (a name or id) exports the map as that scenario would make it; a PNG has
    ``scale`` pixels per map unit; ``forecast_result`` goes into a workbook and a report
    (the report runs a seeded one when none is given), ``measurement`` (of work-item
    history) into a workbook.
    """
    suffix = export_suffix(path)
    if suffix is None:
        raise VSMapperError(
            f"{path}: cannot export to '{Path(path).suffix or Path(path).name}'; "
            f"use {', '.join(EXPORT_SUFFIXES)}"
        )
    if suffix in PICTURE_SUFFIXES:
        # A picture of an overloaded map is the slide that says why; a report needs figures.
        shown, label, queues = future_state(stream, scenario, unbounded=suffix != ".pdf")
        export_picture(shown, path, label, scale, forecast_result, stream, queues, measurement)
    else:
        export_data(stream, path, scenario, forecast_result, measurement=measurement)


def export_picture(
    stream: ValueStream,
    path: str | os.PathLike[str],
    label: str = CURRENT_STATE,
    scale: float = 2.0,
    forecast_result: Forecast | None = None,
    compared: ValueStream | None = None,
    queues: Sequence[QueueChange] = (),
    measurement: Measurement | None = None,
) -> None:
    """Write the map as a ``.png`` or ``.svg`` picture, or a ``.pdf`` report.

    A future state's picture badges the queues its scenario grows (``queues``); its report
    compares the scenarios of ``compared``, the map it was made from, and has a page of
    the ``measurement`` of work-item history, if any.
    """
    suffix = export_suffix(path)
    if suffix == ".pdf":
        write_report(stream, path, label, forecast_result, compared, queues, measurement)
        return
    if suffix not in PICTURE_SUFFIXES:
        raise ValueError(f"{path}: not a picture ({', '.join(PICTURE_SUFFIXES)})")
    # A scenario's picture says its lead time against today's, as the window does.
    today = analyze(compared) if compared is not None and label != CURRENT_STATE else None
    scene = _picture_scene(stream, label, queues=queues, room=SLIDE, today=today)
    if suffix == ".png":
        save_png(scene, path, scale)
    else:
        save_svg(scene, path)


def _picture_scene(
    stream: ValueStream,
    label: str,
    analysis: FlowAnalysis | None = None,
    queues: Sequence[QueueChange] = (),
    room: Room = PRESENTATION_ROOM,
    today: FlowAnalysis | None = None,
) -> MapScene:
    """The map as pictures and prints show it, with its notes and its queue badges, laid out
    for ``room``; ``today``, the current state's analysis, for a scenario's changes."""
    _ensure_application()
    scene = MapScene()
    scene.set_room(room)
    NoteLayer(scene, lambda: stream)
    scene.show_map(stream, analysis or analyze(stream), label, queues, today)
    return scene


def _ensure_application() -> None:
    """A Qt application to draw with, made offscreen when nothing else made one."""
    global _application
    if QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _application = QApplication([])


# --- the report ------------------------------------------------------------------------------

REPORT_FONT_FAMILIES = [
    "Inter",
    "Segoe UI",
    "Helvetica Neue",
    "Arial",
    "Liberation Sans",
    *theme.FONT_FAMILIES,
]
"""Narrow sans-serif faces first: a page of figures fits more in them than in DejaVu Sans."""
PAGE = QRectF(0, 0, 842, 595)
"""A4 landscape in points."""
MARGIN = 30.0
GAP = 16.0
MAP_INSET = 8.0
"""White between the map and its panel's edge, in points."""
LONG_MAP_HEIGHT = 1e6
"""Room enough for the lanes of any map: a map too long for a page is laid out whole."""
TIME_BAR_HEIGHT = 48.0
BOTTOM_COLUMNS = (0.32, 0.49, 0.19)
"""Shares of the width: constraint and levers, scenarios, forecast."""
TOP_LEVERS = 8
"""Stages listed under "Where it would matter", most saved first."""
LEAST_LEVER_BAR, MOST_LEVER_BAR = 0.07, 0.13
"""Shares of its column a bar of "Where it would matter" takes: less as the names need it."""
HISTOGRAM_MOST_HEIGHT = 110.0
"""The forecast's small histogram is at most this many points tall..."""
HISTOGRAM_AXIS_HEIGHT = 20.0
"""...of which its lead-time axis, labelled under the bars, takes this many."""
WAIT_BAR = "#e0a526"
MOST_TIME_BAR_NAME = 110.0
"""Points a stage's name under the time bar takes at most, cut in the middle beyond."""
TIME_BAR_NAME_LINE = 8.5
"""Points between the two lines of names under the time bar."""
SCENARIO_ROW = 15.0
NAME_LINE = 9.0
"""Points a scenario's name takes a line in the report's table: two at most."""


@dataclass(frozen=True)
class _Text:
    """A size, weight and colour of report text."""

    size: float
    color: str = theme.INK
    bold: bool = False

    def font(self) -> QFont:
        """The font at this size, in points."""
        font = theme.font(self.size, self.bold)
        font.setFamilies(REPORT_FONT_FAMILIES)
        return font


TITLE = _Text(19, bold=True)
SUBTITLE = _Text(8.5, theme.MUTED)
CAPTION = _Text(6.5, theme.MUTED, bold=True)
FIGURE = _Text(17, bold=True)
NOTE = _Text(7, theme.MUTED)
BODY = _Text(7.5)
BODY_BOLD = _Text(7.5, bold=True)
HEADING = _Text(11.5, bold=True)
TIME_BAR_NAME = _Text(6.2, theme.INK_SOFT)


class _Page:
    """Drawing on the report page in points, with text that fits the room it is given."""

    def __init__(self, painter: QPainter) -> None:
        self.painter = painter

    def text(
        self,
        rect: QRectF,
        text: str,
        style: _Text,
        flags: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
        wrap: bool = False,
        elide: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
    ) -> float:
        """Draw ``text`` in ``rect`` (elided to one line unless ``wrap``); returns its height."""
        font = style.font()
        self.painter.setFont(font)
        self.painter.setPen(theme.color(style.color))
        metrics = QFontMetricsF(font)
        if wrap:
            flags |= Qt.TextFlag.TextWordWrap
            bounds = metrics.boundingRect(rect, int(flags), text)
            self.painter.drawText(rect, int(flags), text)
            return min(bounds.height(), rect.height())
        shown = metrics.elidedText(text, elide, rect.width())
        self.painter.drawText(rect, int(flags | Qt.AlignmentFlag.AlignTop), shown)
        return metrics.height()

    @staticmethod
    def width(text: str, style: _Text) -> float:
        """How wide ``text`` is on one line."""
        return QFontMetricsF(style.font()).horizontalAdvance(text)

    def wrapped_height(self, width: float, text: str, style: _Text) -> float:
        """How tall ``text`` is when wrapped to ``width``."""
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
        return (
            QFontMetricsF(style.font())
            .boundingRect(QRectF(0, 0, width, 1000), flags, text)
            .height()
        )

    def panel(self, rect: QRectF, fill: str = "#f8fafc", accent: str | None = None) -> None:
        """A soft rounded panel, with a coloured bar on its left when ``accent`` is given."""
        self.painter.setPen(QPen(theme.color(theme.HAIRLINE), 0.6))
        self.painter.setBrush(theme.color(fill))
        self.painter.drawRoundedRect(rect, 5, 5)
        if accent:
            self.painter.setPen(Qt.PenStyle.NoPen)
            self.painter.setBrush(theme.color(accent))
            self.painter.drawRoundedRect(QRectF(rect.left(), rect.top(), 4, rect.height()), 2, 2)

    def rule(self, left: float, right: float, y: float, color: str = theme.HAIRLINE) -> None:
        """A thin horizontal line."""
        self.line(QPointF(left, y), QPointF(right, y), color)

    def line(self, start: QPointF, end: QPointF, color: str = theme.HAIRLINE) -> None:
        """A thin line."""
        self.painter.setPen(QPen(theme.color(color), 0.6))
        self.painter.drawLine(start, end)

    def bar(self, rect: QRectF, color: str) -> None:
        """A filled bar of a small chart."""
        self.painter.setPen(Qt.PenStyle.NoPen)
        self.painter.setBrush(theme.color(color))
        self.painter.drawRoundedRect(rect, 1.5, 1.5)


def write_report(
    stream: ValueStream,
    path: str | os.PathLike[str],
    label: str = CURRENT_STATE,
    forecast_result: Forecast | None = None,
    compared: ValueStream | None = None,
    queues: Sequence[QueueChange] = (),
    measurement: Measurement | None = None,
) -> None:
    """An A4 landscape PDF for leaders: a page of the key figures, the constraint, where
    improvement would matter, the scenarios and the forecast; the map on a page of its own.

    A future state's report compares the scenarios of ``compared``, the map it was made
    from (its own map carries none), and its map badges the ``queues`` the scenario grows.
    """
    _ensure_application()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(f"{stream.name}: value stream report")
    writer.setCreator(f"VSMapper {__version__}")
    writer.setResolution(PDF_RESOLUTION)
    paint_report(writer, stream, label, forecast_result, compared, queues, measurement)
    buffer.close()
    # Qt's PDF writer does not report a full disk: the file is written from memory instead.
    write_atomically(path, bytes(data.data()))


def paint_report(
    device: QPagedPaintDevice,
    stream: ValueStream,
    label: str = CURRENT_STATE,
    forecast_result: Forecast | None = None,
    compared: ValueStream | None = None,
    queues: Sequence[QueueChange] = (),
    measurement: Measurement | None = None,
) -> None:
    """Draw the report on a PDF writer or a printer, A4 landscape: the leaders' page, the
    map's pages, the flow measured from work-item history when there is a ``measurement``,
    and the improvement plan's pages when the map has notes."""
    analysis = analyze(stream)
    if forecast_result is None and stream.stages:
        forecast_result = forecast(stream, REPORT_TRIALS, REPORT_SEED)
    scene = _picture_scene(stream, label, analysis, queues)
    # The page has its own title and figures; the map's would repeat them in small type.
    scene.set_presentation(True)
    painter = _begin_pages(device, QPageSize(QPageSize.PageSizeId.A4), "the report")
    try:
        _draw_report(_Page(painter), stream, analysis, label, forecast_result, compared)
        if stream.stages:
            device.newPage()
            _draw_map_pages(device, _Page(painter), PAGE, stream, label, scene)
        if measurement is not None:
            device.newPage()
            draw_measured_page(painter, stream, measurement, PAGE)
        # The plan is the map's, its lead times from its scenarios: a future state has none.
        draw_plan_pages(device, painter, stream if compared is None else compared, PAGE)
    finally:
        painter.end()


def paint_map_pages(
    device: QPagedPaintDevice,
    stream: ValueStream,
    label: str,
    queues: Sequence[QueueChange] = (),
) -> None:
    """Print the map alone on landscape pages of the printer's paper, over as many pages as
    keep every stage name at least REPORT_LEAST_NAME_SIZE points, each headed by the map's
    name and its figures (and badges of the ``queues`` a scenario grows)."""
    analysis = analyze(stream)
    scene = _picture_scene(stream, label, analysis, queues)
    scene.set_presentation(True)
    painter = _begin_pages(device, device.pageLayout().pageSize(), "the map")
    try:
        paper = QRectF(device.pageLayout().fullRectPoints())
        figures = status_text(analysis, stream)
        _draw_map_pages(device, _Page(painter), paper, stream, f"{label}  ·  {figures}", scene)
    finally:
        painter.end()


def _begin_pages(device: QPagedPaintDevice, paper: QPageSize, what: str) -> QPainter:
    """A painter on ``device`` set to landscape ``paper`` without margins, drawing in points."""
    device.setPageLayout(QPageLayout(paper, QPageLayout.Orientation.Landscape, QMarginsF()))
    painter = QPainter()
    if not painter.begin(device):
        raise VSMapperError(f"{what} could not be drawn: the printer did not start")
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scale = device.logicalDpiX() / POINTS_PER_INCH
    painter.scale(scale, scale)
    return painter


def _draw_report(
    page: _Page,
    stream: ValueStream,
    analysis: FlowAnalysis,
    label: str,
    forecast_result: Forecast | None,
    compared: ValueStream | None = None,
) -> None:
    calendar = stream.calendar

    def hours(value: float) -> str:
        # In the unit the map pages overleaf write too.
        return show_hours(value, calendar.hours_per_day, calendar.days_per_week)

    width = PAGE.width() - 2 * MARGIN
    left, top = MARGIN, MARGIN - 4
    right = Qt.AlignmentFlag.AlignRight
    page.text(QRectF(left, top, width * 0.75, 26), stream.name, TITLE)
    page.text(
        QRectF(left, top + 25, width * 0.75, 12),
        f"Value stream report  ·  {label}  ·  {date.today():%d %B %Y}  ·  the map overleaf",
        SUBTITLE,
    )
    page.text(
        QRectF(left + width * 0.75, top + 4, width * 0.25, 12),
        "VSMapper",
        _Text(9, theme.INK_SOFT, bold=True),
        right,
    )
    page.text(
        QRectF(left + width * 0.75, top + 17, width * 0.25, 12),
        f"working time: {calendar.hours_per_day:g} h a day, {calendar.days_per_week:g} days a week",
        NOTE,
        right,
    )
    page.rule(left, left + width, top + 42)
    y = _draw_figures(page, QRectF(left, top + 52, width, 48), stream, analysis, hours) + GAP
    bottom = PAGE.height() - MARGIN - 14
    y = _draw_time_bar(page, QRectF(left, y, width, TIME_BAR_HEIGHT), analysis) + GAP
    x = left
    rects = []
    for share in BOTTOM_COLUMNS:
        column_width = (width - GAP * (len(BOTTOM_COLUMNS) - 1)) * share
        rects.append(QRectF(x, y, column_width, bottom - y))
        x += column_width + GAP
    _draw_constraint_and_levers(page, rects[0], stream, analysis, hours)
    compared = compared or stream
    current = analysis if compared is stream else analyze(compared)
    _draw_scenarios(page, rects[1], compared, current, hours, label)
    _draw_forecast(page, rects[2], forecast_result, hours)
    page.rule(left, left + width, PAGE.height() - MARGIN - 7)
    page.text(
        QRectF(left, PAGE.height() - MARGIN - 3, width, 10),
        "Lead, process and wait time follow the critical path with likely times (the "
        "classic VSM figures); expected lead time adds the rework that %C&A below 100 "
        f"causes. All times are working time. Made with VSMapper {__version__}.",
        NOTE,
    )


def _draw_map_pages(
    device: QPagedPaintDevice,
    page: _Page,
    paper: QRectF,
    stream: ValueStream,
    label: str,
    scene: MapScene,
) -> None:
    """The map on pages of its own (``paper`` in points), wrapped into lanes across the page
    so that every stage name is at least REPORT_LEAST_NAME_SIZE points; a map too long for
    one page at that size goes on over the next pages, whole lanes to a page."""
    width = paper.width() - 2 * MARGIN
    left, top = MARGIN, MARGIN - 4
    rect = QRectF(left, top + 40, width, paper.height() - MARGIN - top - 40)
    scale, parts = map_pages(
        scene, stream, rect.adjusted(MAP_INSET, MAP_INSET, -MAP_INSET, -MAP_INSET)
    )
    # Once for every page: entering the export touches every item of the map.
    with scene.export_mode():
        for number, part in enumerate(parts, 1):
            if number > 1:
                device.newPage()
            of = f"  ·  {number} of {len(parts)}" if len(parts) > 1 else ""
            page.text(QRectF(left, top, width, 16), stream.name, HEADING)
            page.text(QRectF(left, top + 17, width, 12), f"The map  ·  {label}{of}", SUBTITLE)
            page.rule(left, left + width, top + 32)
            _draw_map(page, scene, rect, part, scale)


def map_pages(scene: MapScene, stream: ValueStream, room: QRectF) -> tuple[float, list[QRectF]]:
    """Lay the map out for the report's map pages, each with ``room`` for the map: the scale
    in points per scene unit and the part of the scene each page shows."""
    # Long names are set smaller on their boxes: the smallest must still read.
    smallest = min(
        (scene.stage_item(stage.id).title_size() for stage in stream.stages),
        default=TITLE_SIZES[0],
    )
    least = REPORT_LEAST_NAME_SIZE / smallest
    comfortable = max(least, REPORT_NAME_SIZE / TITLE_SIZES[0])
    scene.set_room(Room(room.width(), room.height(), least, comfortable))
    source = map_source_rect(scene)
    fits = min(room.width() / source.width(), room.height() / source.height())
    if fits >= least or len(scene.lanes()) < 2:
        return min(fits, comfortable), [source]
    # Lanes across the page's width at the least readable size, as many as the map needs.
    scene.set_room(Room(room.width(), LONG_MAP_HEIGHT, least, least))
    source = map_source_rect(scene)
    scale = min(room.width() / source.width(), comfortable)
    lanes = scene.lanes()
    cuts = [source.top()]
    cuts += [(above.bottom + below.top) / 2 for above, below in itertools.pairwise(lanes)]
    cuts.append(source.bottom())
    parts: list[QRectF] = []
    first = 0
    for last in range(1, len(cuts)):
        too_tall = (cuts[last] - cuts[first]) * scale > room.height()
        if too_tall and last - 1 > first:
            parts.append(
                QRectF(source.left(), cuts[first], source.width(), cuts[last - 1] - cuts[first])
            )
            first = last - 1
    parts.append(QRectF(source.left(), cuts[first], source.width(), cuts[-1] - cuts[first]))
    return scale, parts


def _draw_figures(
    page: _Page,
    rect: QRectF,
    stream: ValueStream,
    analysis: FlowAnalysis,
    hours: Callable[[float], str],
) -> float:
    """The key figures in a row of tiles; returns the bottom."""
    share_waiting = (
        analysis.wait_time_hours / analysis.lead_time_hours if analysis.lead_time_hours else 0.0
    )
    figures = [
        (
            "LEAD TIME",
            hours(analysis.lead_time_hours),
            "on the critical path, at likely times",
            theme.INK,
        ),
        (
            "EXPECTED, WITH REWORK",
            hours(analysis.expected_lead_time_hours),
            f"rework adds {hours(analysis.rework_hours)}",
            theme.INK_SOFT,
        ),
        (
            "FLOW EFFICIENCY",
            f"{analysis.flow_efficiency:.1%}",
            f"{share_waiting:.0%} of lead time is waiting",
            theme.PROCESS,
        ),
        (
            "PROCESS TIME",
            hours(analysis.process_time_hours),
            f"wait time {hours(analysis.wait_time_hours)}",
            theme.INK,
        ),
        ("ROLLED %C&A", rolled_pca_text(analysis.rolled_pca), "of items need no rework", theme.INK),
        (
            "COST PER ITEM",
            cost_text(analysis.cost_per_item, stream),
            "hands-on work, with rework" if stream.has_costs() else "no hourly cost in the map",
            theme.INK,
        ),
    ]
    gap = 8.0
    tile_width = (rect.width() - gap * (len(figures) - 1)) / len(figures)
    for place, (caption, value, note, color) in enumerate(figures):
        tile = QRectF(
            rect.left() + place * (tile_width + gap), rect.top(), tile_width, rect.height()
        )
        page.panel(tile)
        inner = tile.adjusted(9, 7, -7, -5)
        page.text(QRectF(inner.left(), inner.top(), inner.width(), 9), caption, CAPTION)
        page.text(
            QRectF(inner.left(), inner.top() + 9, inner.width(), 22),
            value,
            _Text(FIGURE.size, color, bold=True),
        )
        page.text(QRectF(inner.left(), inner.bottom() - 9, inner.width(), 9), note, NOTE)
    return rect.bottom()


def _draw_map(page: _Page, scene: MapScene, rect: QRectF, source: QRectF, scale: float) -> None:
    """``source`` of the map, as vectors, at ``scale`` points per scene unit, centred at the
    top of ``rect`` in a panel as tall as it."""
    target = QRectF(0, 0, source.width() * scale, source.height() * scale)
    panel = QRectF(rect.left(), rect.top(), rect.width(), target.height() + 2 * MAP_INSET)
    page.panel(panel, theme.PAPER)
    target.moveCenter(panel.center())
    paint_map(scene, page.painter, target, source)


def _draw_time_bar(page: _Page, rect: QRectF, analysis: FlowAnalysis) -> float:
    """The critical path as one bar of lead time: each stage's wait, then its work."""
    path = [analysis.stage(stage_id) for stage_id in analysis.critical_path]
    if not path or analysis.lead_time_hours <= 0:
        return rect.top() - GAP
    page.text(
        QRectF(rect.left(), rect.top(), rect.width() * 0.6, 10),
        "WHERE THE LEAD TIME GOES  ·  THE CRITICAL PATH, STAGE BY STAGE",
        CAPTION,
    )
    waiting = analysis.wait_time_hours / analysis.lead_time_hours
    legend = QRectF(rect.right() - 190, rect.top(), 190, 10)
    for place, (color, text) in enumerate(
        ((WAIT_BAR, f"waiting {waiting:.0%}"), (theme.PROCESS, f"working {1 - waiting:.0%}"))
    ):
        x = legend.left() + place * 95
        page.bar(QRectF(x, legend.top() + 1.5, 7, 7), color)
        page.text(QRectF(x + 10, legend.top(), 84, 10), text, NOTE)
    bar = QRectF(rect.left(), rect.top() + 13, rect.width(), 13)
    scale = bar.width() / analysis.lead_time_hours
    x = bar.left()
    # Names under the bar on two lines, each from its stage's start: a name wider than its
    # stage runs on under the next, whose name takes the other line. The widest stages are
    # named first, so that a run of short ones does not take both lines from a long one.
    segments: list[tuple[float, float, str]] = []
    for metrics in path:
        start = x
        for hours, color in (
            (metrics.wait_time_hours, WAIT_BAR),
            (metrics.process_time_hours, theme.PROCESS),
        ):
            if hours > 0:
                page.bar(QRectF(x, bar.top(), max(0.6, hours * scale - 0.6), bar.height()), color)
            x += hours * scale
        segments.append((start, x, metrics.name))
    first: list[tuple[float, float]] = []
    second: list[tuple[float, float]] = []

    def clear(spans: list[tuple[float, float]], start: float, end: float) -> bool:
        return all(end <= left or right <= start for left, right in spans)

    for start, _, name in sorted(segments, key=lambda segment: segment[0] - segment[1]):
        width = min(page.width(name, TIME_BAR_NAME), MOST_TIME_BAR_NAME, bar.right() - start)
        end = start + width + 6
        # A name on the second line hangs from a tick, which must cross no name on the first.
        if clear(first, start, end) and all(not start < left < end for left, _ in second):
            line, spans = 0, first
        elif clear(second, start, end) and clear(first, start, start + 1):
            line, spans = 1, second
        else:
            continue
        spans.append((start, end))
        top = bar.bottom() + 2 + line * TIME_BAR_NAME_LINE
        if line:
            page.line(QPointF(start + 0.4, bar.bottom()), QPointF(start + 0.4, top + 1))
        page.text(QRectF(start + 1, top, width, 9), name, TIME_BAR_NAME, elide=NAME_ELIDE)
    return rect.bottom()


def _section(page: _Page, rect: QRectF, title: str) -> float:
    """A section heading with a rule under it; returns where its content starts."""
    page.text(QRectF(rect.left(), rect.top(), rect.width(), 14), title, HEADING)
    page.rule(rect.left(), rect.right(), rect.top() + 17)
    return rect.top() + 23


def _draw_constraint_and_levers(
    page: _Page,
    rect: QRectF,
    stream: ValueStream,
    analysis: FlowAnalysis,
    hours: Callable[[float], str],
) -> None:
    """The constraint and why, then the stages where improvement would save the most."""
    constraint = analysis.constraint
    card = QRectF(rect.left(), rect.top(), rect.width(), 64)
    page.panel(card, theme.CONSTRAINT_TINT, theme.CONSTRAINT)
    inner = card.adjusted(12, 7, -8, -6)
    caption = (
        "THE CONSTRAINT"
        if constraint is None
        else (f"THE CONSTRAINT  ·  {share_text(constraint.share)} OF EXPECTED LEAD TIME")
    )
    page.text(
        QRectF(inner.left(), inner.top(), inner.width(), 9),
        caption,
        _Text(CAPTION.size, theme.CONSTRAINT, bold=True),
    )
    page.text(
        QRectF(inner.left(), inner.top() + 10, inner.width(), 15),
        constraint.stage if constraint else "No stages yet",
        _Text(11, bold=True),
    )
    if constraint is not None:
        page.text(
            QRectF(inner.left(), inner.top() + 26, inner.width(), inner.height() - 26),
            f"{constraint.reason}.",
            BODY,
            wrap=True,
        )
    y = _section(
        page, QRectF(rect.left(), card.bottom() + 10, rect.width(), 20), "Where it would matter"
    )
    levers = [found for found in sensitivity(stream) if found.best_hours > 0][:TOP_LEVERS]
    if not levers:
        page.text(
            QRectF(rect.left(), y, rect.width(), 12),
            "No single change would shorten lead time yet.",
            BODY,
        )
        return
    page.text(
        QRectF(rect.left(), y, rect.width(), 10),
        "Expected lead time saved by the best single change at a stage",
        NOTE,
    )
    y += 13
    largest = levers[0].best_hours
    row_height = min(14.0, (rect.bottom() - y) / len(levers))
    figures = [
        f"−{hours(found.best_hours)}  "
        + max(
            (found.halve_wait_hours, "halve the wait"),
            (found.halve_process_hours, "halve the work"),
            (found.perfect_pca_hours, "no rework"),
        )[1]
        for found in levers
    ]
    # The names take the room they need before the bars; what still does not fit is cut in
    # the middle, so that names which begin alike stay apart.
    figure_width = max(page.width(figure, BODY) for figure in figures) + 5
    name_width = min(
        max(page.width(found.stage, BODY_BOLD) for found in levers) + 6,
        rect.width() * (1 - LEAST_LEVER_BAR) - figure_width,
    )
    bar_width = min(rect.width() * MOST_LEVER_BAR, rect.width() - name_width - figure_width)
    for found, figure in zip(levers, figures, strict=True):
        page.text(
            QRectF(rect.left(), y, name_width - 6, row_height),
            found.stage,
            BODY_BOLD,
            elide=NAME_ELIDE,
        )
        page.bar(
            QRectF(
                rect.left() + name_width,
                y + 2,
                max(1.5, bar_width * found.best_hours / largest),
                row_height - 6.5,
            ),
            theme.PROCESS,
        )
        page.text(
            QRectF(
                rect.left() + name_width + bar_width + 5,
                y,
                rect.width() - name_width - bar_width - 5,
                row_height,
            ),
            figure,
            BODY,
        )
        y += row_height


def _draw_scenarios(
    page: _Page,
    rect: QRectF,
    stream: ValueStream,
    analysis: FlowAnalysis,
    hours: Callable[[float], str],
    label: str = CURRENT_STATE,
) -> None:
    """Each scenario of ``stream`` against its current state; the one the report is of, by its
    ``label``, marked."""
    y = _section(page, rect, "Scenarios against the current state")
    if not stream.scenarios:
        page.text(
            QRectF(rect.left(), y, rect.width(), 30),
            "No scenarios yet. Add a future state (AI opportunities enabled, stages "
            "changed) to compare it here.",
            BODY,
            wrap=True,
        )
        return
    columns = [
        ("SCENARIO", 0.25),
        ("LEAD TIME", 0.13),
        ("CHANGE", 0.10),
        ("FLOW EFF.", 0.11),
        ("CONSTRAINT AFTER", 0.28),
        ("AI / MONTH", 0.13),
    ]
    widths = [rect.width() * share for _, share in columns]

    def row(cells: list[tuple[str, _Text]], y: float) -> None:
        x = rect.left()
        for place, ((text, style), width) in enumerate(zip(cells, widths, strict=True)):
            left_aligned = place in (0, 4)
            inset = 8 if place == 4 else 0
            for line, shown in enumerate(text.split("\n")):
                page.text(
                    QRectF(x + inset, y + line * NAME_LINE, width - inset - 3, 12),
                    shown,
                    style,
                    Qt.AlignmentFlag.AlignLeft if left_aligned else Qt.AlignmentFlag.AlignRight,
                )
            x += width

    def named(scenario: str) -> tuple[str, float]:
        """A scenario's name on up to two lines of its column, and the height of its row."""
        name = fit_label(scenario, QFontMetricsF(BODY_BOLD.font()), widths[0] - 3)
        return name, SCENARIO_ROW + name.count("\n") * NAME_LINE

    row([(title, CAPTION) for title, _ in columns], y)
    y += 13
    row(
        [
            ("Current state", BODY_BOLD),
            (hours(analysis.lead_time_hours), BODY),
            ("", BODY),
            (f"{analysis.flow_efficiency:.1%}", BODY),
            (analysis.constraint.stage if analysis.constraint else "—", BODY),
            ("", BODY),
        ],
        y,
    )
    y += SCENARIO_ROW
    comparisons = [compare(stream, scenario) for scenario in stream.scenarios]
    takeaway = _takeaway(comparisons, hours, stream.currency)
    marked = next((found for found in comparisons if label == f"Scenario: {found.scenario}"), None)
    takeaway_height = page.wrapped_height(rect.width() - 20, takeaway, BODY) + 12
    names = [named(found.scenario) for found in comparisons]
    # As many rows as fit above the takeaway, and at least one.
    bottom = rect.bottom() - takeaway_height - 18
    ends = itertools.accumulate((height for _, height in names), initial=y)
    room = max(1, sum(1 for end in list(ends)[1:] if end <= bottom))
    shown = comparisons[:room]
    for found, (name, height) in zip(shown, names, strict=False):
        page.rule(rect.left(), rect.right(), y - 2.5, "#e2e8f0")
        if found is marked:
            page.panel(
                QRectF(rect.left() - 8, y - 2, rect.width() + 11, height - 1),
                theme.AI_FILL,
                theme.AI,
            )
        change = found.lead_time_delta_pct
        change_color = (
            theme.CONSTRAINT
            if change is None or change > 0.05
            else theme.PROCESS
            if change < -0.05
            else theme.INK
        )
        constraint = found.constraint_of(found.future)
        row(
            [
                (name, BODY_BOLD),
                ("unbounded" if change is None else hours(found.future.lead_time_hours), BODY),
                (
                    "overload" if change is None else _percent_change(change),
                    _Text(BODY.size, change_color, bold=True),
                ),
                ("—" if change is None else f"{found.future.flow_efficiency:.1%}", BODY),
                (constraint.stage if constraint else "—", BODY),
                (money_text(found.monthly_ai_cost, stream.currency), BODY),
            ],
            y,
        )
        y += height
    if len(shown) < len(comparisons):
        page.text(
            QRectF(rect.left(), y, rect.width(), 10),
            f"and {len(comparisons) - len(shown)} more"
            + (" in the Excel export" if label == CURRENT_STATE else ""),
            NOTE,
        )
        y += 12
    card = QRectF(rect.left(), y + 6, rect.width(), takeaway_height)
    page.panel(card, "#f0fdf4", theme.PROCESS)
    page.text(card.adjusted(12, 6, -8, -4), takeaway, BODY, wrap=True)


def _takeaway(
    comparisons: list[ScenarioComparison], hours: Callable[[float], str], currency: str
) -> str:
    """The scenario that shortens lead time most, in one or two plain sentences."""
    bounded = [found for found in comparisons if found.lead_time_delta_hours is not None]
    best = min(bounded, key=lambda found: found.lead_time_delta_hours or 0.0, default=None)
    if best is None or best.lead_time_delta_hours is None or best.lead_time_delta_hours >= 0:
        return "No scenario shortens lead time yet: look at the constraint and its wait."
    assert best.lead_time_delta_pct is not None
    # Its AI tools' cost beside the cut, not as its price: a scenario's other changes (a
    # weekly meeting for a monthly one) may cut more than its AI does.
    cost = best.monthly_ai_cost
    spend = f"; its AI tools cost {money_text(cost, currency)} a month" if cost else ""
    text = (
        f"{best.scenario} would cut lead time by {hours(-best.lead_time_delta_hours)} "
        f"({-best.lead_time_delta_pct:.0f}%){spend}."
    )
    before, after = best.current.constraint, best.future.constraint
    if before is not None and after is not None and before.stage_id == after.stage_id:
        return f"{text} The constraint stays at {after.stage}: work there moves lead time most."
    return f"{text} The constraint moves to {after.stage if after else 'no stage'}."


def _draw_forecast(
    page: _Page, rect: QRectF, forecast_result: Forecast | None, hours: Callable[[float], str]
) -> None:
    """How long items will take: the forecast's percentiles."""
    y = _section(page, rect, "Forecast")
    if forecast_result is None:
        page.text(QRectF(rect.left(), y, rect.width(), 12), "No stages to forecast.", BODY)
        return
    for caption, value in (
        ("P50 · HALF OF ITEMS", forecast_result.p50_hours),
        ("P85 · COMMIT TO THIS", forecast_result.p85_hours),
        ("P95 · ALMOST ALL", forecast_result.p95_hours),
    ):
        page.text(QRectF(rect.left(), y, rect.width(), 9), caption, CAPTION)
        page.text(
            QRectF(rect.left(), y + 9, rect.width(), 17),
            f"{hours(value)}",
            _Text(13, theme.INK, bold=True),
        )
        y += 29
    y += (
        page.text(
            QRectF(rect.left(), y, rect.width(), rect.bottom() - y),
            f"Monte Carlo: {forecast_result.trials:,} simulated items, "
            f"{forecast_result.method} times from each range, rework drawn from %C&A "
            f"(seed {forecast_result.seed}).",
            NOTE,
            wrap=True,
        )
        + 6
    )
    if rect.bottom() - y >= 24 + HISTOGRAM_AXIS_HEIGHT:
        _draw_histogram(
            page,
            QRectF(rect.left(), y, rect.width(), min(HISTOGRAM_MOST_HEIGHT, rect.bottom() - y)),
            forecast_result,
            hours,
        )


def _draw_histogram(
    page: _Page, rect: QRectF, forecast_result: Forecast, hours: Callable[[float], str]
) -> None:
    """The forecast's distribution as small bars, with P85 marked, over its lead-time axis."""
    counts, edges = forecast_result.histogram_counts, forecast_result.histogram_edges
    tallest = max(counts) or 1
    low, high = edges[0], edges[-1]
    bars = rect.adjusted(0, 0, 0, -HISTOGRAM_AXIS_HEIGHT)
    width = bars.width() / len(counts)
    for place, count in enumerate(counts):
        height = (bars.height() - 2) * count / tallest
        page.bar(
            QRectF(
                bars.left() + place * width, bars.bottom() - height, max(0.5, width - 0.8), height
            ),
            "#93c5fd",
        )
    marker = bars.left() + bars.width() * (forecast_result.p85_hours - low) / (high - low or 1)
    page.painter.setPen(QPen(theme.color(theme.INK), 0.8, Qt.PenStyle.DashLine))
    page.painter.drawLine(QPointF(marker, bars.top()), QPointF(marker, bars.bottom()))
    page.text(QRectF(marker + 2, bars.top() - 1, 30, 9), "P85", _Text(6, theme.INK, bold=True))
    page.rule(bars.left(), bars.right(), bars.bottom() + 0.5, theme.MUTED)
    ticks = QRectF(bars.left(), bars.bottom() + 2, bars.width(), 9)
    page.text(ticks, hours(low), NOTE)
    page.text(ticks, hours(high), NOTE, Qt.AlignmentFlag.AlignRight)
    page.text(
        ticks.translated(0, 9),
        "lead time of an item (working time)",
        NOTE,
        Qt.AlignmentFlag.AlignHCenter,
    )


def _percent_change(change: float) -> str:
    """``−8%``, ``+0.3%`` or ``0%``: a decimal only where whole percents would hide it."""
    if round(change, 1) == 0:
        return "0%"
    text = f"{change:+.1f}%" if abs(change) < 1 else f"{change:+.0f}%"
    return text.replace("-", "−")


# --- printing ---------------------------------------------------------------------------------


def print_document(
    parent: QWidget,
    what: str,
    stream: ValueStream,
    scenario: str | None = None,
    forecast_result: Forecast | None = None,
    preview: bool = False,
    measurement: Measurement | None = None,
) -> bool:
    """Print (or preview) the "map" or the "report", as the scenario makes the map.

    True when printed, not for a preview or a cancelled print dialog.
    """
    shown, label, queues = future_state(stream, scenario, unbounded=what == "map")
    title = f"{shown.name} — {what}"

    def paint(printer: QPrinter) -> None:
        if what == "map":
            paint_map_pages(printer, shown, label, queues)
        else:
            paint_report(printer, shown, label, forecast_result, stream, queues, measurement)

    if preview:
        print_preview(parent, title, paint)
        return False
    return print_with_dialog(parent, title, paint)


def print_with_dialog(parent: QWidget, title: str, paint: Callable[[QPrinter], None]) -> bool:
    """Ask for a printer and print on it; True when printed."""
    printer = _printer(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {title}")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    return _print(parent, paint, printer)


def print_preview(parent: QWidget, title: str, paint: Callable[[QPrinter], None]) -> None:
    """Show pages as they would print, with the preview's own Print button."""
    printer = _printer(title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Print preview: {title}")
    resize_for_screen(dialog, 1000, 760)
    dialog.paintRequested.connect(lambda shown: _print(dialog, paint, shown))
    dialog.exec()


def _printer(title: str) -> QPrinter:
    """A printer at full resolution whose job is named ``title``."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    return printer


def _print(parent: QWidget, paint: Callable[[QPrinter], None], printer: QPrinter) -> bool:
    try:
        paint(printer)
    except VSMapperError as error:
        QMessageBox.warning(parent, "Cannot print", str(error))
        return False
    return True
