# Production image for Zonewise: one image for the web (uvicorn), worker and beat services.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ZONEWISE_DATA_DIR=/app/data

# WeasyPrint's native libraries and the reports' font, from the one list ./zw installs too (reports/native.py
# names each library and why it matters; --debs prints the packages of those missing here), checked after the
# install; cairo for CairoSVG, which draws the site diagram into the Word report (decision 0030).
COPY reports/native.py /tmp/native.py
RUN apt-get update \
    && apt-get install -y --no-install-recommends $(python /tmp/native.py --debs) libcairo2 \
    && rm -rf /var/lib/apt/lists/* \
    && python /tmp/native.py --check \
    && rm /tmp/native.py

RUN groupadd --system --gid 1000 zonewise \
    && useradd --system --uid 1000 --gid zonewise --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin zonewise

WORKDIR /app

# Dependencies first, so a code change reuses this layer: the exact versions of requirements/prod.lock
# (`./zw lock`), the same the test suite ran, checked against the lock's hashes. The code runs from /app
# (pyproject.toml declares `packages = []`), so the project itself needs no installing.
COPY requirements/prod.lock requirements/prod.lock
RUN pip install --require-hashes -r requirements/prod.lock

COPY . .

# Static files are collected into $ZONEWISE_DATA_DIR/staticfiles (STATIC_ROOT). The key is a
# throwaway: collectstatic needs settings to import, and settings refuse to start without one.
# The data folder belongs to the app user so a fresh named volume mounted there inherits it.
RUN mkdir -p /app/data \
    && SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput -v0 \
    && chown -R zonewise:zonewise /app/data

USER zonewise
EXPOSE 8000

# One uvicorn process per core (WEB_CONCURRENCY; the Redis channel layer joins them). No WebSocket
# compression: live messages are ~1 KB of JSON and each socket would compress each one (decision 0014).
ENV WEB_CONCURRENCY=2
CMD ["uvicorn", "config.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--ws-per-message-deflate", "false"]
