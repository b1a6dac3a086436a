"""The operator's pages under ``/admin`` and the visitors' suggestion form, present only
when ``MEETSCOUT_ADMIN_TOKEN`` is set."""

from service.web.admin.routes import router, suggest_router

__all__ = ["router", "suggest_router"]
