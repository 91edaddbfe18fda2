"""File › Print and Print preview of the map and the report, printed here to PDF files."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtPrintSupport import (
    QPrintDialog,
    QPrinter,
    QPrintPreviewDialog,
    QPrintPreviewWidget,
)
from PySide6.QtWidgets import QDialog, QMessageBox

from benchmarks.maps import synthetic_map
from vsmapper.ui import documents, files
from vsmapper.ui.app import application
from vsmapper.ui.canvas import MapScene
from vsmapper.ui.main_window import MainWindow

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed; .ci/run installs it"
)


@pytest.fixture
def window(qtbot: object) -> Iterator[MainWindow]:
    application()
    shown = MainWindow(files.example_map(), remember_layout=False)
    qtbot.addWidget(shown)  # type: ignore[attr-defined]
    shown.file.confirm_discard = lambda: True  # type: ignore[method-assign]
    yield shown


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


@pytest.fixture
def printed_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The print dialog answers Print, to a PDF file."""
    out = tmp_path / "printed.pdf"

    def accept(dialog: QPrintDialog) -> int:
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    return out


@pytest.mark.parametrize(("action", "pages"), [("print_map_action", 1), ("print_report_action", 2)])
def test_print_actions_print_pages(
    window: MainWindow, printed_to: Path, action: str, pages: int
) -> None:
    getattr(window.menus, action).trigger()
    assert pdf_pages(printed_to) == pages
    assert printed_to.stat().st_size > 10_000
    assert window.message_label.text().startswith("Printed the ")


def test_ctrl_p_prints_the_map_and_cancel_prints_nothing(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.menus.print_map_action.shortcut().toString() == "Ctrl+P"
    assert window.menus.print_report_action.shortcut().toString() == "Ctrl+Shift+R"
    monkeypatch.setattr(QPrintDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    window.menus.print_map_action.trigger()
    assert window.message_label.text() == ""


@pytest.mark.parametrize(
    ("action", "count"), [("preview_map_action", 1), ("preview_report_action", 2)]
)
def test_print_preview_shows_the_pages(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, action: str, count: int
) -> None:
    pages: list[int] = []

    def show(dialog: QPrintPreviewDialog) -> int:
        preview = dialog.findChild(QPrintPreviewWidget)
        preview.updatePreview()
        pages.append(preview.pageCount())
        return 0

    monkeypatch.setattr(QPrintPreviewDialog, "exec", show)
    getattr(window.menus, action).trigger()
    assert pages == [count]


def test_a_scenario_report_prints_as_its_export_does(window: MainWindow, printed_to: Path) -> None:
    window.workspace.show_scenario(window.workspace.stream.scenarios[0].id)
    window.menus.print_report_action.trigger()
    assert pdf_pages(printed_to) == 2


@pytest.mark.qt_log_ignore("QPainter::begin")
def test_a_printer_that_does_not_start_is_a_message(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    printer = pdf_printer(tmp_path / "missing-folder" / "out.pdf")
    assert not documents._print(
        window, lambda shown: documents.paint_report(shown, files.example_map()), printer
    )
    assert warnings == ["the report could not be drawn: the printer did not start"]


def test_a_long_map_is_readied_for_print_once_not_once_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Readying the scene switches off every item's cached picture: once a page, a
    # 2,000-stage map took 21 s to preview; once for all its pages, 5 s.
    application()
    readied: list[None] = []
    export_mode = MapScene.export_mode

    def counted(scene: MapScene) -> contextlib.AbstractContextManager[None]:
        if not scene.exporting:
            readied.append(None)
        return export_mode(scene)

    monkeypatch.setattr(MapScene, "export_mode", counted)
    printer = pdf_printer(tmp_path / "map.pdf")
    documents.paint_map_pages(printer, synthetic_map(60), "Current state")
    assert pdf_pages(tmp_path / "map.pdf") > 1
    assert len(readied) == 1


@needs_pdftotext
def test_a_long_map_prints_over_pages_with_its_figures_on_each(tmp_path: Path) -> None:
    application()
    out = tmp_path / "map.pdf"
    stream = synthetic_map(60)
    documents.paint_map_pages(pdf_printer(out), stream, "Current state")
    pages = pdf_pages(out)
    raw = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True)
    # Names wrap onto two lines and "ff" prints as a ligature.
    text = " ".join(unicodedata.normalize("NFKC", raw.stdout).split())
    assert pages > 1
    assert text.count("Lead time ") == pages
    assert f"1 of {pages}" in text and f"{pages} of {pages}" in text
    assert all(stage.name in text for stage in stream.stages)
