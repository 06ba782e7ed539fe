"""The vendor portal: staff send a request to a vendor's contacts, who answer it through a single-use link.

See ``docs/portal.md``. The portal's visitors are vendor contacts, never Flask-Login users: a link
opens a portal session (``session["portal"]``) scoped to one contact of one vendor.
"""
