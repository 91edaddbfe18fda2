"""Where the boxes of a map go: pure geometry, without Qt, shared by the canvas and exports."""

from vsmapper.layout.flow import Edge, Grid, Point, layers, rows
from vsmapper.layout.wrap import Lane, Placement, Room, columns_per_lane, lane_of, wrapped_layout

__all__ = [
    "Edge",
    "Grid",
    "Lane",
    "Placement",
    "Point",
    "Room",
    "columns_per_lane",
    "lane_of",
    "layers",
    "rows",
    "wrapped_layout",
]
