"""The coordinator area in the browser: people and programme, and tasks."""
