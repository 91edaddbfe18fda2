"""The AI practice catalog (data in resources/catalog) and suggestions for a stage. No Qt."""

from vsmapper.catalog.practices import (
    AssumedSideEffect,
    AssumedValue,
    Catalog,
    Effect,
    Evidence,
    MonthlyCost,
    Practice,
    load_catalog,
    opportunity_from_practice,
    side_effect_targets,
    side_effects_for,
    suggest,
)

__all__ = [
    "AssumedSideEffect",
    "AssumedValue",
    "Catalog",
    "Effect",
    "Evidence",
    "MonthlyCost",
    "Practice",
    "load_catalog",
    "opportunity_from_practice",
    "side_effect_targets",
    "side_effects_for",
    "suggest",
]
