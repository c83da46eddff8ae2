# The order-saga service and the provider sandbox, built with the Swift 6 toolchain.
FROM swift:6.3-bookworm AS build
RUN apt-get update -q && apt-get install -y -q --no-install-recommends libmongoc-dev libbson-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
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
WORKDIR /app
EXPOSE 8080
USER nobody
CMD ["/app/order-saga"]
