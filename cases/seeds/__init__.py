"""The six hand-written seed cases: three consumer-shop cases (evidence gathering) and
three enterprise SaaS cases (routing and communication)."""
