"""Evidence files (証跡): uploads stored once per SHA-256, linked to any record, downloaded by those who may see it."""
