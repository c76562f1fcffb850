"""Workspaces: the top-level tabs of the main window, registered in desktop_app/registry.py."""
