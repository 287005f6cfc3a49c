"""Tests of handouts/pdf."""
