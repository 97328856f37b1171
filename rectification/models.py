"""Models of the rectification app."""
