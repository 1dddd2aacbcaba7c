# greenreg: the package with its shipped data, run as a non-root user.
# Build: docker build -t greenreg .   Run it with deploy/compose.yaml (docs/deployment.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The package and its data (src/greenreg/data: the shipped lists, divisions, seeds; the
# migrations; the web page's files), installed from the source tree, not in editable mode.
COPY pyproject.toml README.md /tmp/greenreg/
COPY src /tmp/greenreg/src
RUN pip install /tmp/greenreg && rm -rf /tmp/greenreg

# No key and no password is in the image: they are mounted at run time (compose secrets).
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/greenreg --create-home greenreg
USER greenreg
WORKDIR /var/lib/greenreg

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["greenreg", "serve", "--host", "0.0.0.0", "--port", "8000"]
