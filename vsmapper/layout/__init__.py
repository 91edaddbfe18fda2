"""Where the boxes of a map go: pure geometry, without Qt, shared by the canvas and exports."""

from vsmapper.layout.flow import Edge, Grid, Point, layers, layout, rows

__all__ = ["Edge", "Grid", "Point", "layers", "layout", "rows"]
