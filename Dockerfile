# meetscout in a container: the API (default command) or the crawler (`meetscout schedule`).
# compose.yaml runs both beside PostgreSQL and Redis.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MEETSCOUT_DATA_DIR=/data \
    MEETSCOUT_HOST=0.0.0.0

RUN useradd --create-home --uid 10001 meetscout && mkdir /data && chown meetscout /data
WORKDIR /app

# The exact versions the tests ran with, then meetscout itself.
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock "psycopg[binary]>=3.2,<4"
COPY . .
RUN pip install --no-cache-dir --no-deps .

USER meetscout
# The gazetteer's index file, built once here rather than by the first container to start.
RUN python -c "from service.places.gazetteer import get_gazetteer; get_gazetteer().load()"
VOLUME ["/data"]
EXPOSE 8000
CMD ["meetscout", "serve", "--workers", "2"]
