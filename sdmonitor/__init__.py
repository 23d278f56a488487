"""Sociaal Domein Monitor: team exports to the half-yearly monitor of the toegang."""

__version__ = "0.1.0"
