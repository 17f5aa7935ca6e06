"""Exports of the aidgraph store for Gephi and other tools, and pictures of the graph.

    projections  networks read from the store (networkx) and their projections
    gexf         GEXF 1.3 (Gephi), valid against the vendored RelaxNG schema, dynamic with spells
    graphml      GraphML (yEd, Cytoscape, igraph) via networkx, scalar attributes only
    rdf_dump     the dataset or one named graph as Turtle, TriG, N-Quads, N-Triples or JSON-LD
    csv_export   pledges, meetings and actors as CSV tables
    plots        timeline of pledges and network pictures (matplotlib, PNG or SVG)

Submodules import networkx, lxml and matplotlib; this package imports nothing heavy by itself.
"""
