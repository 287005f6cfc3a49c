"""Tests of handouts/content."""
