"""OGC API – Features: the places for GIS clients such as QGIS, ArcGIS and GDAL."""
