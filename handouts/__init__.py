"""Tailored, plain-language patient handouts about multiple sclerosis, rendered as PDF."""

__version__ = "0.1.0"
