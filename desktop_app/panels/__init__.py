"""Panels of the Evolve workspace: one module per view, registered in desktop_app/registry.py."""
