# The order-saga service and the provider sandbox, built with the Swift 6 toolchain: one image, both executables.
#
# Dependencies resolve within the version ranges of Package.swift (Package.resolved is not kept in the
# repository), so an image built later may use newer patch or minor releases. To pin them, run
# `swift package resolve` and put the resulting Package.resolved beside Package.swift before building: it is copied
# in and honoured.
FROM swift:6.3-bookworm AS build
RUN apt-get update -q && apt-get install -y -q --no-install-recommends libmongoc-dev libbson-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift Package.resolve[d] ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
# The resource bundles (openapi.yaml and the console's files) go beside the executables, where Bundle.module finds them.
RUN swift build -c release --static-swift-stdlib --product order-saga \
    && swift build -c release --static-swift-stdlib --product provider-sandbox \
    && mkdir -p /staging \
    && cp .build/release/order-saga .build/release/provider-sandbox /staging/ \
    && find -L .build/release -maxdepth 1 -name '*.resources' -exec cp -R {} /staging/ \;

FROM debian:bookworm-slim
RUN apt-get update -q && apt-get install -y -q --no-install-recommends \
        libmongoc-1.0-0 libbson-1.0-0 ca-certificates tzdata curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /staging/ /app/
# The sandbox keeps its ledgers here; a volume mounted on it starts with this owner.
RUN mkdir -p /data/sandbox && chown nobody /data/sandbox
WORKDIR /app
# Inside a container the service listens on every interface (outside one it defaults to 127.0.0.1), so that
# `docker run -p 8080:8080 …` reaches it; the sandbox likewise.
# libmongoc's statistics counters would be a file in /dev/shm per process, left behind when one is killed.
ENV HOST=0.0.0.0 SANDBOX_HOST=0.0.0.0 SANDBOX_DATA_DIR=/data/sandbox MONGOC_DISABLE_SHM=1
EXPOSE 8080 8090
USER nobody
CMD ["/app/order-saga"]
