"""Stable download URLs: /downloads (description), /downloads/lernorte.geojson, .csv, .jsonld."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from jinja2 import ChoiceLoader, FileSystemLoader
from starlette.responses import HTMLResponse, StreamingResponse

from app.config import PROJECT_ROOT
from app.deps import AppSettings, Conn, StrictQuery
from app.errors import PROBLEM_RESPONSES
from app.downloads.dataset import csv_chunks, dataset_facts, geojson_chunks, licence_members
from app.downloads.dcat import dataset_jsonld
from app.pages.render import environment, render
from app.responses import JSONResponse

router = APIRouter(prefix="/downloads", tags=["open data"], dependencies=[StrictQuery],
                   responses=PROBLEM_RESPONSES)

# The description page extends the site's base.html; this overlay finds our template first and
# the shared ones after it, so the page gets the site frame without living in app/pages.
_templates = environment.overlay(loader=ChoiceLoader([
    FileSystemLoader(PROJECT_ROOT / "app" / "downloads" / "templates"), environment.loader]))


class JSONLDResponse(JSONResponse):
    media_type = "application/ld+json"


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _file_headers(request: Request, settings: AppSettings, filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"',
            "Link": f'<{_base(request)}/downloads>; rel="describedby", '
                    f'<{settings.data_license_url}>; rel="license"'}


@router.get("", response_class=HTMLResponse,
            summary="The dataset: record count, last update, licence, files (with DCAT-AP.de)")
async def dataset_page(request: Request, conn: Conn, settings: AppSettings,
                       lang: Annotated[str | None, Query(
                           description="Language of the page's frame (the site's switch)")] = None
                       ) -> HTMLResponse:
    """The site's language switch adds ``lang``; the page itself is in German."""
    facts = await dataset_facts(conn)
    jsonld = orjson.dumps(dataset_jsonld(settings, facts, _base(request))).decode()
    # Inside <script>, "</" could end the element early: JSON allows escaping "<" as \u003c.
    jsonld = jsonld.replace("<", "\\u003c")
    return render(request, _templates.get_template("dataset.html"), facts=facts,
                  jsonld=jsonld, base_url=_base(request))


@router.get("/lernorte.jsonld", response_class=JSONLDResponse,
            summary="The dataset's description in DCAT-AP.de as JSON-LD")
async def dataset_description(request: Request, conn: Conn,
                              settings: AppSettings) -> JSONLDResponse:
    return JSONLDResponse(dataset_jsonld(settings, await dataset_facts(conn), _base(request)))


@router.get("/lernorte.geojson", response_class=StreamingResponse, responses={200: {
    "description": "A GeoJSON FeatureCollection (RFC 7946) with license and attribution members",
    "content": {"application/geo+json": {"schema": {"type": "object"}}}}},
            summary="All published places as one GeoJSON file with licence and attribution")
async def geojson_file(request: Request, settings: AppSettings) -> StreamingResponse:
    members = licence_members(settings, f"{_base(request)}/downloads")
    return StreamingResponse(geojson_chunks(request.app.state.engine, members),
                             media_type="application/geo+json",
                             headers=_file_headers(request, settings, "lernorte.geojson"))


@router.get("/lernorte.csv", response_class=StreamingResponse, responses={200: {
    "description": "One row per place, a header row first",
    "content": {"text/csv": {"schema": {"type": "string"}}}}},
            summary="All published places as one CSV file (UTF-8, comma, lists separated by ;)")
async def csv_file(request: Request, settings: AppSettings) -> StreamingResponse:
    return StreamingResponse(csv_chunks(request.app.state.engine, _base(request)),
                             media_type="text/csv; charset=utf-8; header=present",
                             headers=_file_headers(request, settings, "lernorte.csv"))
