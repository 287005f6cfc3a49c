"""Tests of handouts/check."""
