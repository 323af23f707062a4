"""``recon serve``: the upload site for country and regional offices (see :mod:`recon.web.app`)."""

from recon.web.app import create_app

__all__ = ["create_app"]
