"""The OpenEnv server entry point."""
