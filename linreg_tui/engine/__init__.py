"""The UI-free engine: torch math only (configuration, data, model, losses, training, sweeps).

Import from the modules: `engine.config`, `engine.records` and `engine.results` load no
torch, every other module does.
"""
