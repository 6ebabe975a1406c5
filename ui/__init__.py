"""Leadline's presentation helpers: number formats, chart builders and shared page pieces."""
