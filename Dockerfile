# The one image for web, worker, beat and the emulator (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY apps ./apps
COPY dashboard ./dashboard
RUN pip install --no-cache-dir .
COPY . .
RUN python manage.py collectstatic --noinput
RUN useradd --create-home jobdeck
USER jobdeck
EXPOSE 8000
CMD ["gunicorn", "dashboard.wsgi", "-b", "0.0.0.0:8000"]
