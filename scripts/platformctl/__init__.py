"""platformctl: the tooling of data-platform-gitops.

Every CI gate is a subcommand, so a person runs exactly what CI runs. Subcommands live in
`platformctl.commands`, one module each, and are discovered at start-up (see `cli.py`).
"""
