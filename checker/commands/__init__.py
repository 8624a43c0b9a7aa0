"""What each CLI command does, one module per group; cli.py only parses options and calls these."""
