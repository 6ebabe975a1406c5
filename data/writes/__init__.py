"""Every write a person (or the API, the CLI, an import) makes: one module per family of actions."""
