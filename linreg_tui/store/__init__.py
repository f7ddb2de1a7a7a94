"""Storage: the SQLite run history, config files and output files that appear only when complete."""
