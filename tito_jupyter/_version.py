"""The one place the version number is defined."""

__version__ = "0.1.0"
