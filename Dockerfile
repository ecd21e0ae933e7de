# Production image: frontend assets from npm in one stage, the Python app in the next.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY frontend/ ./

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LERNORTE_ENVIRONMENT=production
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY app/ app/
COPY geo/ geo/
COPY migrations/ migrations/
COPY data/ data/
RUN pip install --no-cache-dir . && useradd --system --uid 10001 lernorte
COPY --from=frontend /src/frontend/ frontend/
USER lernorte
EXPOSE 8000
CMD ["lernorte", "serve", "--host", "0.0.0.0", "--port", "8000"]
