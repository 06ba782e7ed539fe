"""Issued documents: what they show (``data``), built as ``pdf.ReportDocument``s (``documents``, ``incident``)."""
