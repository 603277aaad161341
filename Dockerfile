# mltrace: the console built with node, packaged into the wheel, served by gunicorn on python:3.11-slim.
#   docker build -t mltrace .
#   docker run -p 127.0.0.1:8080:8080 -e MLTRACE_DB_URI=postgresql://user:password@host:5432/mltrace mltrace

# 1. the console (ui/) -> mltrace/server/static
FROM node:20-slim AS ui
WORKDIR /src/ui
COPY ui/package.json ui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY ui/ ./
RUN npm run build

# 2. the wheel, with the built console inside
FROM python:3.11-slim AS wheel
WORKDIR /src
RUN pip install --no-cache-dir build
COPY pyproject.toml README.md LICENSE MANIFEST.in build_console.py ./
COPY mltrace/ mltrace/
# Built above; without ui/ here the build hook (build_console.py) takes it as it is.
COPY --from=ui /src/mltrace/server/static/ mltrace/server/static/
RUN python -m build --wheel --outdir /dist

# 3. the runtime: the wheel and the demo seeding script, nothing else
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MLTRACE_HOME=/var/lib/mltrace
RUN useradd --system --create-home --home-dir /var/lib/mltrace mltrace
COPY --from=wheel /dist/ /tmp/dist/
RUN pip install --no-cache-dir /tmp/dist/*.whl && rm -rf /tmp/dist
COPY populate_db.py /opt/mltrace/populate_db.py
USER mltrace
WORKDIR /var/lib/mltrace
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/api/v1/health', timeout=2)"]
CMD ["mltrace", "serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
