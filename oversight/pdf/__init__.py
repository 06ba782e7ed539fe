"""The PDF toolkit: a document as plain data (``document``), rendered with reportlab (``render``).

It knows nothing of the features: ``oversight.reports`` builds the documents from their data.
"""
