# Greenroom's image: gunicorn web process, Celery worker and beat all run from it (docs/deploy.md).
# scripts/build-image-steps performs the same build steps outside a container.

# --- builder: every dependency as a wheel; compilers and headers stay in this stage -------------
FROM python:3.11-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libldap2-dev libsasl2-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements/runtime.txt ./requirements/runtime.txt
# The project runs from its source tree (templates/ sits beside the packages), so only its
# dependencies are installed as wheels: exactly the locked set, every file's hash checked.
RUN pip wheel --require-hashes --no-deps --wheel-dir /wheels -r requirements/runtime.txt

# --- final: slim runtime, no compilers, non-root ------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    GREENROOM_DATA_DIR=/var/lib/greenroom \
    GREENROOM_STATIC_ROOT=/app/static \
    GREENROOM_LOAD_DEMO=0 \
    LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    PORT=8000
# git reads catalog repositories; Graphviz draws relation graphs. psycopg's binary wheel brings libpq;
# python-ldap (built in the builder) links OpenLDAP's libldap and Cyrus SASL.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git graphviz libldap-2.5-0 libsasl2-2 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 greenroom \
 && useradd --system --uid 10001 --gid greenroom --home-dir /app --shell /usr/sbin/nologin greenroom \
 && mkdir -p /var/lib/greenroom /tmp/prometheus \
 && chown greenroom:greenroom /var/lib/greenroom /tmp/prometheus
COPY --from=builder /wheels /wheels
RUN pip install --no-index --find-links=/wheels /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY --chown=root:root . /app
# Static files are collected at build time into the image (served by WhiteNoise); a throwaway key
# and data dir, since settings need both and neither may end up in the image.
RUN SECRET_KEY=collectstatic-only GREENROOM_DATA_DIR=/tmp/build-data python manage.py collectstatic --noinput \
 && rm -rf /tmp/build-data
USER 10001:10001
EXPOSE 8000
VOLUME ["/var/lib/greenroom"]
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi:application"]
