# syntax=docker/dockerfile:1
# gridgov: one static binary with subcommands (serve, migrate, seed, etl, token).
# Used by docker-compose.yml for the api, etl and migrate services.

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so editing code does not re-download dependencies.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# CGO off: a static binary that runs on a distroless base with no libc.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags='-s -w' -o /out/gridgov ./cmd/gridgov
# The evidence directory, owned by the process: a volume mounted on it starts so.
RUN mkdir -p /out/evidence

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gridgov /usr/local/bin/gridgov
COPY --from=build --chown=65532:65532 /out/evidence /var/lib/gridgov/evidence
# uid/gid 65532: the process owns nothing and needs no privileges.
USER nonroot:nonroot
ENV GRIDGOV_LISTEN=0.0.0.0:8080 GRIDGOV_EVIDENCE_DIR=/var/lib/gridgov/evidence
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/gridgov"]
CMD ["serve"]
