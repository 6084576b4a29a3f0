"""The fake API's routes, one module per area; ``fake_backend.app`` has the table."""
