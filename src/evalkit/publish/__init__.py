"""Publishing: result tables, the disclosure policy, charts and the report."""
