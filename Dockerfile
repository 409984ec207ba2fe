# One image for every process of the product (web, workers, beat, flower);
# docker-compose.yml picks the command. Production settings: DEBUG=false.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=false

WORKDIR /app
RUN useradd --create-home --uid 1000 app

# Exactly the locked versions (every package, with hashes; `make lock` refreshes it).
COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock

COPY . .
# Static files are built into the image and served by whitenoise. The key only
# satisfies settings at build time; it is never used at run time.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p var/media var/flower \
    && chown -R app:app var

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
