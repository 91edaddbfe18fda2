"""Forecast from a measured history's weekly throughput: when N items are done, how many by a date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vsmapper.errors import VSMapperError
from vsmapper.ui.background import BackgroundJob
from vsmapper.ui.dialogs import chosen_day, day_box, qdate

if TYPE_CHECKING:
    from vsmapper.history.forecast import ThroughputForecast
    from vsmapper.history.measure import Measurement

SEED = 1
"""The same seed as ``vsmapper forecast --from-history LOG --seed 1``: the same dates."""
DEFAULT_HORIZON_DAYS = 56
MAX_ITEMS = 1_000_000


class ThroughputWorker(QObject):
    """Draws the forecast off the GUI thread; reports through signals only."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, weekly: list[int], start: date, items: int | None, by: date | None) -> None:
        super().__init__()
        self.weekly, self.start, self.items, self.by = weekly, start, items, by

    def run(self) -> None:
        """Forecast, then announce the result or the problem."""
        from vsmapper.history.forecast import throughput_forecast

        try:
            found = throughput_forecast(
                self.weekly, self.start, items=self.items, by=self.by, seed=SEED
            )
        except VSMapperError as error:
            self.failed.emit(str(error))
        else:
            self.finished.emit(found)


class ThroughputForecastBox(QWidget):
    """ "When will these N items be done" and "how many by this date", from weekly throughput."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.measurement: Measurement | None = None
        self.last_result: ThroughputForecast | None = None
        self.title = QLabel("<b>Forecast from throughput</b>")
        self.basis = QLabel("Import a work-item history to forecast from its weekly throughput.")
        self.basis.setWordWrap(True)
        self.items_box = QSpinBox()
        self.items_box.setRange(1, MAX_ITEMS)
        self.items_box.setValue(50)
        self.items_box.setSuffix(" items")
        self.items_box.setToolTip("How many items are still to do")
        self.when_button = QPushButton("When done?")
        self.when_button.setToolTip("When these items will be done, at 50, 85 and 95 % confidence")
        self.by_box = day_box()
        self.by_box.setToolTip("The date to count done items by")
        self.how_many_button = QPushButton("How many by then?")
        self.how_many_button.setToolTip("How many items will be done by the date")
        self.result = QLabel("")
        self.result.setWordWrap(True)
        controls = QHBoxLayout()
        for widget in (self.items_box, self.when_button, self.by_box, self.how_many_button):
            controls.addWidget(widget)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.basis)
        layout.addLayout(controls)
        layout.addWidget(self.result)
        self.when_button.clicked.connect(self.forecast_items)
        self.how_many_button.clicked.connect(self.forecast_by_date)
        self.job = BackgroundJob(self)
        self.job.finished.connect(self._show)
        self.job.failed.connect(self._fail)
        self.show_measurement(None)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in self._controls():
            widget.setEnabled(enabled)

    def _controls(self) -> tuple[QWidget, ...]:
        return (self.items_box, self.when_button, self.by_box, self.how_many_button)

    @property
    def running(self) -> bool:
        """Whether a forecast is being drawn."""
        return self.job.running

    def show_measurement(self, measurement: Measurement | None) -> None:
        """Forecast from this measurement's weekly throughput from now on (None: nothing)."""
        self.measurement = measurement
        self.last_result = None
        self.result.setText("")
        self._set_enabled(measurement is not None)
        for widget in self._controls():
            # Without a history the line above says what to do: the room goes to the chart.
            widget.setVisible(measurement is not None)
        if measurement is None:
            self.basis.setText("Import a work-item history to forecast from its weekly throughput.")
            return
        weeks = measurement.full_weeks_done()
        until = measurement.until.date()
        start = measurement.forecast_start()
        self.by_box.setDate(qdate(start + timedelta(days=DEFAULT_HORIZON_DAYS)))
        done = sorted(weeks)
        median = done[len(done) // 2] if done else 0
        self.basis.setText(
            f"From {len(weeks)} weeks of the history up to {until:%Y-%m-%d} "
            f"(median {median} items done a week)."
        )

    def forecast_items(self) -> None:
        """When will the chosen number of items be done."""
        self._start(items=self.items_box.value())

    def forecast_by_date(self) -> None:
        """How many items will be done by the chosen date."""
        by = chosen_day(self.by_box)
        if self.measurement is not None and not self.job.running:
            start = self.measurement.forecast_start()
            # Said, not refused as typed: a minimum date swallowed the keys of a past year.
            if by <= start:
                self.result.setText(
                    f"{by:%Y-%m-%d} is not after {start:%Y-%m-%d}, the day the forecast counts "
                    "from: choose a later date."
                )
                return
        self._start(by=by)

    def _start(self, items: int | None = None, by: date | None = None) -> None:
        if self.measurement is None or self.job.running:
            return
        found = self.measurement
        self._set_enabled(False)
        self.result.setText("Drawing 10,000 futures from the weekly throughput…")
        self.job.start(ThroughputWorker(found.full_weeks_done(), found.forecast_start(), items, by))

    def _fail(self, message: str) -> None:
        self._set_enabled(self.measurement is not None)
        self.result.setText(message)

    def _show(self, found: ThroughputForecast) -> None:
        self._set_enabled(self.measurement is not None)
        self.last_result = found
        self.result.setText(throughput_sentence(found))

    def wait(self) -> None:
        """Let a running forecast end (for closing windows)."""
        self.job.wait()


def _by(found: ThroughputForecast, key: str) -> str:
    """``by 2027-03-01``, or why no date: past the forecast's horizon or the calendar's end."""
    date = found.dates[key]
    return f"by {date}" if date is not None else found.when(key)


def throughput_sentence(found: ThroughputForecast) -> str:
    """The forecast in one sentence, as the command line gives its figures."""
    if found.items is not None:
        return (
            f"{found.items:,} items from {found.start:%Y-%m-%d}: 50% {_by(found, 'p50')}, "
            f"85% {_by(found, 'p85')}, 95% {_by(found, 'p95')}."
        )
    assert found.by is not None
    return (
        f"By {found.by:%Y-%m-%d}, counting from {found.start:%Y-%m-%d}: "
        f"at least {found.done_by['p50']:,.0f} items (50%), "
        f"{found.done_by['p85']:,.0f} (85%), {found.done_by['p95']:,.0f} (95%)."
    )
