"""Tests of evalkit.stats against R output, published examples and hand computation."""
