# A minimal image of realmgate. Not built or tested in this project's CI (no container engine
# there): treat it as a starting point and check it in your own pipeline.
FROM python:3.11-slim
RUN useradd --create-home --uid 1000 realmgate
WORKDIR /opt/realmgate
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip install --no-cache-dir . && mkdir -p /opt/realmgate/data && chown realmgate /opt/realmgate/data
USER realmgate
EXPOSE 8080 9000
ENTRYPOINT ["realmgate"]
CMD ["start-dev", "--http-host", "0.0.0.0"]
