"""Leadline's HTTP API: a FastAPI application mounted at ``/api`` beside the dashboard, in the
same process (``dashboard.py`` builds the ``st.App``).

The API is a caller of the data layer like the pages and the CLI: every endpoint authenticates
its key (``auth``), then calls one data-layer function, which checks the key's role and the
input and writes in one tenant transaction under row-level security. ``errors`` turns the data
layer's refusals into 422/403/404 answers with the forms' own messages; ``limits`` holds the
body cap, the per-key rate limit, the statement timeout and the cap on concurrent requests.
"""
