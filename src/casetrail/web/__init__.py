"""The workbench: a web UI and an HTTP API over the same core that the CLI drives."""
