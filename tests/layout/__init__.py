"""Tests of handouts/layout."""
