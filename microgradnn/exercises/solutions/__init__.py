"""Reference solutions: the checks compare against these (students never get them)."""
