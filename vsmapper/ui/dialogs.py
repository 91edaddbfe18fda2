"""Dialogs: map settings, the built-in guide, About."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QLibraryInfo, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vsmapper import RESOURCES, __version__
from vsmapper.model.stream import ValueStream


def _spin(
    value: float, low: float, high: float, decimals: int = 2, suffix: str = "", special: str = ""
) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setSuffix(suffix)
    if special:
        box.setSpecialValueText(special)
    box.setValue(value)
    return box


class MapSettingsDialog(QDialog):
    """Name, description, calendar, demand, hourly cost and currency of a map."""

    def __init__(self, stream: ValueStream, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Map settings")
        self.name = QLineEdit(stream.name)
        self.description = QPlainTextEdit(stream.description)
        # Tab goes on to the next field, as in every other field of the dialog: typed in, the
        # demand and cost went into the description.
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(80)
        self.hours_per_day = _spin(stream.calendar.hours_per_day, 0.5, 24, 1, " h")
        self.days_per_week = _spin(stream.calendar.days_per_week, 0.5, 7, 1, " days")
        self.demand = _spin(stream.demand_per_week or 0, 0, 1e6, 1, " items/week", "none")
        self.hourly_cost = _spin(stream.hourly_cost, 0, 1e6, 2)
        self.currency = QLineEdit(stream.currency)
        self.currency.setMaxLength(12)
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Description", self.description)
        form.addRow("Working &hours per day", self.hours_per_day)
        form.addRow("Working &days per week", self.days_per_week)
        form.addRow("De&mand", self.demand)
        form.addRow("Hourly &cost", self.hourly_cost)
        form.addRow("C&urrency", self.currency)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _accept_if_valid(self) -> None:
        if not self.name.text().strip():
            self.name.setFocus()
            self.name.setPlaceholderText("A map needs a name")
            return
        self.accept()

    def values(self) -> dict[str, Any]:
        """The settings as map fields."""
        return {
            "name": self.name.text().strip(),
            "description": self.description.toPlainText(),
            "calendar": {
                "hours_per_day": self.hours_per_day.value(),
                "days_per_week": self.days_per_week.value(),
            },
            "demand_per_week": self.demand.value() or None,
            "hourly_cost": self.hourly_cost.value(),
            "currency": self.currency.text().strip() or "USD",
        }


class DayBox(QDateEdit):
    """A date edit that takes a date typed whole over its selected text, as typed."""

    _moved_on = False
    """Whether the last key filled a section and Qt moved on to the next by itself."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        line = self.lineEdit()
        typed = event.text()
        if typed and not typed.isdigit() and self._moved_on:
            # The separator typed after a full section would skip the section it moved to.
            self._moved_on = False
            return
        if typed.isdigit() and line.selectedText() == line.text():
            # Qt refuses a digit that would replace the whole date, so the year typed after
            # Ctrl+A was lost and the month and day landed in last year's date.
            self.setSelectedSection(self.sectionAt(0))
        section = self.currentSection()
        super().keyPressEvent(event)
        self._moved_on = typed.isdigit() and self.currentSection() != section


def day_box() -> QDateEdit:
    """A date edit as every dialog shows one: 2026-12-15, with a calendar to pick from."""
    box = DayBox()
    box.setCalendarPopup(True)
    box.setDisplayFormat("yyyy-MM-dd")
    return box


def qdate(day: date) -> QDate:
    """A Python date as Qt's date edits take it."""
    return QDate(day.year, day.month, day.day)


def chosen_day(box: QDateEdit) -> date:
    """The day a date edit shows."""
    shown = box.date()
    return date(shown.year(), shown.month(), shown.day())


def resize_for_screen(window: QWidget, width: int, height: int) -> None:
    """``width`` × ``height``, or as much as the screen holds: on a 1280×720 projector a tall
    dialog keeps its buttons in view, and its lists and texts scroll instead."""
    screen = window.screen().availableGeometry()
    window.resize(min(width, screen.width() * 9 // 10), min(height, screen.height() * 9 // 10))


def help_page(name: str) -> str:
    """A bundled help page's HTML."""
    return (RESOURCES / "help" / name).read_text("utf-8")


def show_guide(parent: QWidget) -> None:
    """The built-in guide in a non-modal window."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("VSMapper guide")
    resize_for_screen(dialog, 760, 720)
    browser = QTextBrowser(dialog)
    browser.setOpenExternalLinks(True)
    browser.setHtml(help_page("guide.html"))
    layout = QVBoxLayout(dialog)
    layout.addWidget(browser)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    # Page Down and End scroll it at once: the keyboard reached nothing in it.
    browser.setFocus()


def about_text() -> str:
    """Version, licence and third-party licences."""
    qt_version = QLibraryInfo.version().toString()
    return help_page("about.html").format(version=__version__, qt_version=qt_version)


def show_about(parent: QWidget) -> None:
    """The About box."""
    box = QMessageBox(parent)
    box.setWindowTitle("About VSMapper")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text())
    box.exec()
