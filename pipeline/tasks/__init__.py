"""Domain-model tasks behind the CLI: train, classify, evaluate, bench (app layer)."""
