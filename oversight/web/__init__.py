"""Web plumbing shared by every blueprint: i18n, headers, errors, template helpers."""
