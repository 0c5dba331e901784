"""narcokg: the knowledge graph of Indonesia's international cooperation against narcotics."""
