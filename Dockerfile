# Production image. Three stages: the frontend's npm packages, the Python dependencies in a
# virtualenv, and a slim runtime that gets both plus the source and runs as a non-root user.
# The app reads migrations/, data/ and frontend/ next to its source, so the source lives in /app
# (on PYTHONPATH) rather than in site-packages.

FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
# Only runtime packages (Leaflet, plugins): the app serves them from node_modules itself.
RUN npm ci --omit=dev --no-audit --no-fund
COPY frontend/ ./
RUN rm -rf test tests

FROM python:3.11-slim-bookworm AS python
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app/ app/
COPY geo/ geo/
# Install to get the dependencies, then drop the package itself: the runtime imports /app.
RUN /opt/venv/bin/pip install . && /opt/venv/bin/pip uninstall -y lernorte

FROM python:3.11-slim-bookworm
# pg_dump/pg_restore for `lernorte backup` / `restore` (same major version as the database).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin lernorte \
    && printf '#!/bin/sh\nexec python -m app.cli "$@"\n' > /usr/local/bin/lernorte \
    && chmod 0755 /usr/local/bin/lernorte
ENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/app PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    LERNORTE_ENVIRONMENT=production LERNORTE_COOKIE_SECURE=true
WORKDIR /app
COPY --from=python /opt/venv /opt/venv
COPY alembic.ini pyproject.toml ./
COPY app/ app/
COPY geo/ geo/
COPY migrations/ migrations/
COPY data/ data/
COPY --from=frontend /src/frontend/ frontend/
# Read-only code; the process only writes to stdout/stderr and the database.
USER lernorte
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"
# Migrations run in their own step on deploy (see docker-compose.yml); no demo data in production.
# SIGTERM (docker stop) lets requests in flight finish: LERNORTE_GRACEFUL_SHUTDOWN_S, default 20 s.
CMD ["lernorte", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-demo"]
