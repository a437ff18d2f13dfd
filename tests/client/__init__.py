"""Tests for the Home Assistant-free NaviLink client."""
