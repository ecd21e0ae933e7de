"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import api_docs, caching, derived, health, observability, static
from app.admin.api import login_router as admin_login_api
from app.admin.api import router as admin_api
from app.admin.pages import login_router as admin_login_pages
from app.admin.pages import router as admin_pages
from app.admin.bulk import router as admin_bulk
from app.admin.categories import api_router as admin_categories_api
from app.admin.categories import router as admin_categories
from app.admin.quality import api_router as admin_quality_api
from app.admin.quality import router as admin_quality
from app.admin.overview import router as admin_overview
from app.admin.suggestions import api_router as admin_suggestions_api
from app.admin.suggestions import router as admin_suggestions
from app.cluster import database_url
from app.config import Settings, get_settings
from app.db import make_engine
from app.disconnect import CancelOnDisconnect
from app.downloads.router import router as downloads_router
from app.errors import register_error_handlers
from app.migrate import head_revision
from app.ogc.router import router as ogc_router
from app.pages.map import router as map_page_router
from app.gazetteer import router as gazetteer_router
from app.http_head import HeadAsGet
from app.pages.list import router as list_page_router
from app.pages.place import router as place_page_router
from app.pages.statement import router as statement_router
from app.places.clusters_router import router as clusters_router
from app.places.router import router as places_router
from app.embed.router import oembed_router
from app.embed.router import router as embed_router
from app.security import SecurityHeaders
from app.suggestions.router import router as suggestions_router


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url, _ = database_url(settings.database_url, settings.data_dir)
        app.state.engine = make_engine(
            url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout_s, connect_timeout=settings.db_connect_timeout_s,
            command_timeout=settings.db_command_timeout_s, reads=True)
        try:
            yield
        finally:
            derived.stop_background(app.state.engine)
            await app.state.engine.dispose()

    app = FastAPI(
        title="Lernorte",
        summary="Places of lifelong learning: public API",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,  # app/api_docs.py serves Swagger UI from our own copy
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.head_revision = head_revision()
    register_error_handlers(app)
    # Innermost: the caching sees HEAD (and answers it like GET), the routes see a GET.
    app.add_middleware(HeadAsGet)
    # Inside the caching, which holds the request's connection and closes it after the cancel.
    app.add_middleware(CancelOnDisconnect)
    # Inside the security headers, so that a 304 gets them too.
    caching.install(app, settings)
    # Outermost of our middleware, so that every answer gets the headers.
    app.add_middleware(SecurityHeaders, settings=settings)
    observability.install(app, settings.log_level, settings.log_format)
    app.include_router(health.router)
    app.include_router(api_docs.router)
    app.include_router(places_router)
    app.include_router(embed_router)
    app.include_router(oembed_router)
    app.include_router(ogc_router)
    app.include_router(downloads_router)
    app.include_router(static.router)
    app.include_router(map_page_router)
    app.include_router(gazetteer_router)
    app.include_router(place_page_router)
    app.include_router(list_page_router)
    app.include_router(statement_router)
    app.include_router(clusters_router)
    app.include_router(admin_login_api)
    app.include_router(admin_api)
    app.include_router(admin_login_pages)
    app.include_router(admin_pages)
    app.include_router(admin_suggestions)
    app.include_router(admin_bulk)
    app.include_router(admin_overview)
    app.include_router(admin_categories)
    app.include_router(admin_categories_api)
    app.include_router(admin_quality)
    app.include_router(admin_quality_api)
    app.include_router(admin_suggestions_api)
    app.include_router(suggestions_router)
    return app
