"""Leadline's data layer: connections, migrations, report reads, writes, demo data and the CLI."""
