"""Tests of handouts/batch."""
