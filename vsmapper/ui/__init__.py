"""The desktop app: PySide6 views over the Qt-free model, analysis and layout."""

# The Qt-free layers the first window needs load before PySide6: from its first import on,
# PySide6 reads the source of every module imported after it (looking for __feature__).
import vsmapper.analysis
import vsmapper.io.mapfile
import vsmapper.layout
import vsmapper.workshop.plan  # noqa: F401
