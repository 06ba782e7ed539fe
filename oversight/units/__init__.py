"""Business units (事業部・グループ会社): the tree, who belongs where, and the read scope (docs/units.md)."""
