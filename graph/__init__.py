"""aidgraph: a knowledge graph of military aid to Ukraine built from multilingual news.

Importing this package has no side effects: no store is opened, no model loaded, no file read.
"""

__version__ = "0.1.0"
