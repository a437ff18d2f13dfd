"""Benchmark of the NaviLink integration against navilink_sim and a real `hass` process."""
