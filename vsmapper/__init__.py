"""VSMapper: idea-to-production value stream maps for software delivery."""

__version__ = "0.1.0"
