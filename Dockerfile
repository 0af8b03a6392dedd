# syntax=docker/dockerfile:1
#
# LMGate standalone gateway.
#   docker compose up -d                       (see docker-compose.yaml), or
#   docker build -t lmgate . && docker run -d -p 8080:8080 \
#     -v "$PWD/config:/app/config:ro" -v "$PWD/data:/app/data" lmgate
# The container runs as uid/gid 10001: the mounted data directory must be writable by it.

# ---- build: the shaded jar lmgate-standalone/target/lmgate.jar ------------------------------
FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# Tests run in CI (mvn -B verify), not in the image build. The Maven repository is cached
# between builds (BuildKit cache mount; not part of any image).
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests package

# ---- runtime ---------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre

RUN groupadd --system --gid 10001 lmgate \
 && useradd --system --uid 10001 --gid lmgate --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin lmgate \
 && mkdir -p /app/config /app/data \
 && chown lmgate:lmgate /app/data

WORKDIR /app
COPY --from=build /src/lmgate-standalone/target/lmgate.jar /app/lmgate.jar
# The shipped defaults; a mounted /app/config replaces them. The default price table needs no
# copy here: the jar carries config/prices.yaml (built in from the source tree copied above); to
# use your own, mount it and set LMGATE_PRICING__PATH (e.g. config/prices.yaml). No allow-list is baked in:
# mount /app/data with your data/allowlist.csv (see data/allowlist.example.csv). Without one,
# LMGate creates data/allowlist.csv with no keys and refuses every request with 403.
COPY config/lmgate.yaml /app/config/lmgate.yaml

USER lmgate
EXPOSE 8080 8443
VOLUME ["/app/config", "/app/data"]

# curl ships in the eclipse-temurin Ubuntu images. If you move the port in the config file
# rather than with LMGATE_SERVER__PORT, adjust this line too.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${LMGATE_SERVER__PORT:-8080}/healthz" || exit 1

# Relative paths in the configuration resolve against /app: config/lmgate.yaml,
# data/allowlist.csv, data/stats.jsonl. Arguments after the image name are LMGate's
# (e.g. `report`, `hash-key`, `--config FILE`).
ENTRYPOINT ["java", "-jar", "/app/lmgate.jar"]
