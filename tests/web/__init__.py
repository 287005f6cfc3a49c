"""Tests of handouts/web."""
