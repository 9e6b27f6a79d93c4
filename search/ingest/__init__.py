"""Reading the input: records and pages become ``Article``s with their entities."""
