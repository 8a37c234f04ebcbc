"""Qt-free, DB-free rules: scores, flags, recommendations and the clean-up plan."""
