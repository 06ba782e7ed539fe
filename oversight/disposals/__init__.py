"""Data return or deletion after a contract ends (返却・廃棄)."""
