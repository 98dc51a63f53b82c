"""The outside world: settings, the episode service, the OpenEnv environment, the FastAPI
app (OpenEnv routes plus tasks/episodes/replay/audit/statemachine) and the CLI."""
