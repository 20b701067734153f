# Production-like image: gunicorn serves the site, whitenoise its static files.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ssp_archive.settings.production \
    WEB_CONCURRENCY=3

WORKDIR /app

# pyproject.toml lists no packages, so installing it needs nothing else from the tree and
# this layer stays cached until the dependencies change.
COPY pyproject.toml ./
RUN pip install . && rm -rf build ./*.egg-info

COPY . .

# Production settings refuse to load without these; collectstatic needs neither for real.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --create-home app
USER 10001

EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn ssp_archive.wsgi --bind 0.0.0.0:8000 --access-logfile -"]
