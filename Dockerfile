# CaseOps server with the /web playground, installed from uv.lock.
FROM python:3.11-slim
WORKDIR /app/caseops
RUN pip install --no-cache-dir uv==0.13.9
COPY . .
RUN uv sync --frozen --no-dev && mkdir -p /data
ENV PATH="/app/caseops/.venv/bin:$PATH" \
    ENABLE_WEB_INTERFACE=true \
    CASEOPS_DATABASE_URL=sqlite:////data/caseops.db
EXPOSE 8000
CMD ["caseops", "serve", "--host", "0.0.0.0", "--port", "8000", "--web"]
