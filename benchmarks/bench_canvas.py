"""How fast the map canvas builds, paints and updates: ``python -m benchmarks.bench_canvas``.

Each figure is printed beside a floor measured in the same run: the same number of bare
QGraphicsRectItems built and painted into an image of the same size.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QGraphicsScene

from benchmarks.maps import synthetic_map
from vsmapper.analysis import analyze
from vsmapper.ui.canvas import MapScene, render_image

SIZES = (50, 500, 2000)
IMAGE_PIXELS = 8_000_000


def seconds(action: Callable[[], object], repeat: int = 1) -> float:
    """The median wall time of ``action``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paint_floor(count: int, rect: QRectF, scale: float) -> tuple[float, float]:
    """Build and paint ``count`` bare rectangles spread over ``rect``: the cheapest picture."""
    scene = QGraphicsScene()
    columns = max(1, math.ceil(math.sqrt(count * rect.width() / max(rect.height(), 1.0))))

    def build() -> None:
        for index in range(count):
            item = QGraphicsRectItem(0, 0, 200, 128)
            item.setPos(
                rect.left() + (index % columns) * 336, rect.top() + (index // columns) * 208
            )
            scene.addItem(item)

    build_time = seconds(build)
    image = QImage(
        math.ceil(rect.width() * scale),
        math.ceil(rect.height() * scale),
        QImage.Format.Format_ARGB32_Premultiplied,
    )

    def paint() -> None:
        image.fill(0xFFFFFFFF)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scene.render(painter, QRectF(image.rect()), rect)
        painter.end()

    return build_time, seconds(paint)


def main() -> None:
    """Print build, paint and update times for growing maps beside their floors."""
    app = QApplication.instance() or QApplication([])
    print(
        f"{'stages':>7} {'analyze':>9} {'build':>9} {'floor':>9} {'ratio':>6} "
        f"{'paint':>9} {'floor':>9} {'ratio':>6}  image"
    )
    for size in SIZES:
        stream = synthetic_map(size)
        analysis_time = seconds(lambda stream=stream: analyze(stream))
        analysis = analyze(stream)
        scene = MapScene()
        build_time = seconds(
            lambda scene=scene, stream=stream, analysis=analysis: scene.show_map(stream, analysis)
        )
        rect = scene.content_rect()
        scale = min(1.0, math.sqrt(IMAGE_PIXELS / (rect.width() * rect.height())))
        paint_time = seconds(lambda scene=scene, scale=scale: render_image(scene, scale))
        image = render_image(scene, scale)
        floor_build, floor_paint = paint_floor(len(scene.items()), rect, scale)
        print(
            f"{size:>7} {analysis_time * 1000:>7.1f}ms {build_time * 1000:>7.1f}ms "
            f"{floor_build * 1000:>7.1f}ms {build_time / floor_build:>6.1f} "
            f"{paint_time * 1000:>7.1f}ms {floor_paint * 1000:>7.1f}ms "
            f"{paint_time / floor_paint:>6.1f}  {image.width()}x{image.height()}"
        )

    stream = synthetic_map(500)
    scene = MapScene()
    scene.show_map(stream, analyze(stream))
    versions = []
    for step in range(11):
        stages = list(stream.stages)
        stages[250] = stages[250].replaced(process_time=f"{step + 1}h")
        versions.append(stream.replaced(stages=stages))
    analyses = [analyze(version) for version in versions]
    updates = [
        seconds(lambda version=version, analysis=analysis: scene.show_map(version, analysis))
        for version, analysis in zip(versions, analyses, strict=True)
    ]
    same = seconds(lambda: scene.show_map(versions[-1], analyses[-1]), repeat=11)
    renamed = versions[-1].replaced(
        stages=[
            stage.replaced(name="Renamed") if index == 3 else stage
            for index, stage in enumerate(versions[-1].stages)
        ]
    )
    rename = seconds(lambda: scene.show_map(renamed, analyze(renamed)))
    floor_build, _ = paint_floor(len(scene.items()), scene.content_rect(), 0.01)
    update = statistics.median(updates)
    print(
        f"\n500 stages, one process time changed: show_map {update * 1000:.1f} ms "
        f"(budget 50 ms; building {len(scene.items())} bare rect items: "
        f"{floor_build * 1000:.1f} ms, ratio {update / floor_build:.2f})"
    )
    print(f"500 stages, nothing changed:          show_map {same * 1000:.1f} ms")
    print(f"500 stages, one stage renamed:        analyze + show_map {rename * 1000:.1f} ms")
    del app


if __name__ == "__main__":
    main()
