"""Selection evaluations (選定評価): the selection checklist run against a vendor."""
