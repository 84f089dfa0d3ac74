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

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gridgov /usr/local/bin/gridgov
# uid/gid 65532: the process owns nothing and needs no privileges.
USER nonroot:nonroot
ENV GRIDGOV_LISTEN=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/gridgov"]
CMD ["serve"]
