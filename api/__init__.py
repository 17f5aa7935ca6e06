"""aidgraph's web service: SPARQL 1.1 endpoint, REST lookups and the query page (see api/README.md)."""
