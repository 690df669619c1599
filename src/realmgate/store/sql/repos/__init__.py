"""One module per group of repositories; ``base`` holds what they share."""
