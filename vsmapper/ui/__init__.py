"""The desktop app: PySide6 views over the Qt-free model, analysis and layout."""

from vsmapper.ui.pyside_features import skip_source_reads

skip_source_reads()
