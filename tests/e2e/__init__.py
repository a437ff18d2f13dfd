"""End-to-end test: scripts/develop's stack driven by Chromium."""
