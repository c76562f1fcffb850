"""Panels of the main window; each draws reports and never touches live engine state."""
