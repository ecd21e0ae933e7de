"""The dataset's description in DCAT-AP.de (JSON-LD), for open-data portals such as GovData.

Portals harvest the dataset (title, publisher, licence, last change, where the data lie) and
one distribution per way to get it: the GeoJSON and CSV files and the OGC API.
"""

from __future__ import annotations

from typing import Any

from app.config import Settings
from app.downloads.dataset import DatasetFacts

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
EU = "http://publications.europa.eu/resource/authority"
OGC_FEATURES = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"


def _text(value: str) -> dict[str, str]:
    return {"@value": value, "@language": "de"}


def _distribution(settings: Settings, facts: DatasetFacts, url: str, title: str,
                  media_type: str, file_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "@id": url, "@type": "dcat:Distribution",
        "dct:title": _text(title),
        "dcat:accessURL": {"@id": url},
        "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media_type}"},
        "dct:format": {"@id": f"{EU}/file-type/{file_type}"},
        "dct:license": {"@id": settings.data_license_dcat},
        "dcatde:licenseAttributionByText": settings.data_attribution,
        "dct:modified": {"@value": facts.modified.isoformat(), "@type": "xsd:dateTime"},
        **extra,
    }


def dataset_jsonld(settings: Settings, facts: DatasetFacts, base_url: str) -> dict[str, Any]:
    page = f"{base_url}/downloads"
    return {
        "@context": CONTEXT,
        "@id": f"{page}#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": f"{page}#dataset",
        "dct:title": _text(settings.site_name),
        "dct:description": _text(
            f"Alle {facts.count} veröffentlichten Lernorte des lebenslangen Lernens – von der Kita "
            "über Schulen und Weiterbildung bis zu Bibliotheken und Beratung – mit Adresse, "
            "Kategorie und Lage."),
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": settings.data_publisher},
        "dct:modified": {"@value": facts.modified.isoformat(), "@type": "xsd:dateTime"},
        "dcat:landingPage": {"@id": page},
        "dcat:theme": [{"@id": f"{EU}/data-theme/EDUC"}, {"@id": f"{EU}/data-theme/REGI"}],
        "dcat:keyword": ["Bildung", "Lernorte", "Lebenslanges Lernen", "Schulen", "Kitas",
                         "Weiterbildung"],
        "dct:spatial": {"@id": settings.data_spatial},
        "dcatde:politicalGeocodingURI": {"@id": settings.data_spatial},
        "dct:license": {"@id": settings.data_license_dcat},
        "dcatde:licenseAttributionByText": settings.data_attribution,
        "dcat:distribution": [
            _distribution(settings, facts, f"{page}/lernorte.geojson", "Lernorte als GeoJSON",
                          "application/geo+json", "GEOJSON",
                          **{"dcat:downloadURL": {"@id": f"{page}/lernorte.geojson"}}),
            _distribution(settings, facts, f"{page}/lernorte.csv", "Lernorte als CSV",
                          "text/csv", "CSV",
                          **{"dcat:downloadURL": {"@id": f"{page}/lernorte.csv"}}),
            _distribution(settings, facts, f"{base_url}/ogc", "OGC API – Features",
                          "application/geo+json", "GEOJSON",
                          **{"dct:conformsTo": {"@id": OGC_FEATURES}}),
        ],
    }
