"""PDF reports: a document built from plain data (``document``) and its rendering (``pdf``)."""
