"""Widgets shared by panels and workspaces (graph view, config form, task box, plot helpers)."""
