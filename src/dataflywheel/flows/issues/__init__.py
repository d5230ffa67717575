"""Issue Pool flows: issues, escalation, post-mortems, the knowledge base."""
