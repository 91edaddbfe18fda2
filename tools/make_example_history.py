"""Write the bundled example work-item history (deterministic: the same file every time)."""

from __future__ import annotations

from pathlib import Path

from vsmapper.history.example import write_example

TARGET = (
    Path(__file__).resolve().parents[1]
    / "resources"
    / "examples"
    / "idea-to-production.history.csv"
)

if __name__ == "__main__":
    rows = write_example(TARGET)
    print(f"{TARGET}: {rows:,} status changes")
