"""The AI practice catalog (data in resources/catalog) and suggestions for a stage. No Qt."""

from vsmapper.catalog.practices import (
    AssumedValue,
    Catalog,
    Effect,
    Evidence,
    MonthlyCost,
    Practice,
    load_catalog,
    opportunity_from_practice,
    suggest,
)

__all__ = [
    "AssumedValue",
    "Catalog",
    "Effect",
    "Evidence",
    "MonthlyCost",
    "Practice",
    "load_catalog",
    "opportunity_from_practice",
    "suggest",
]
