"""API resources, one module per domain; importing them registers their routes on the API blueprint."""

from app.api.resources import exports, governance, initiatives, kpis, objectives, organizations, plans

__all__ = ["exports", "governance", "initiatives", "kpis", "objectives", "organizations", "plans"]
