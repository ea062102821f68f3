# The runtime image in a container (docs/runtime-image.md). Not built in this project's CI: no container engine there; the
# image it copies (./mvnw -Pdist package) is built and tested there.
#
#   docker build -t autoglm .
#   docker run --rm -p 8080:8080 -v "$PWD/models:/models:ro" -v autoglm-cache:/var/cache/autoglm autoglm \
#       serve --host 0.0.0.0 --model stories=/models/stories260K.gguf

# --- build: the CLI jar and the runtime image (jlinked runtime, jar, AOT cache, launcher) ----------------------------
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -Pdist -DskipTests package \
 && mkdir -p /opt/autoglm \
 && tar -xzf autoglm-dist/target/autoglm-*.tar.gz -C /opt/autoglm --strip-components=1

# --- run: a plain glibc distribution, no JDK --------------------------------------------------------------------------
FROM ubuntu:24.04
# llama.cpp's CPU build uses OpenMP (libgomp); libstdc++ is already there
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --create-home --home-dir /home/autoglm autoglm \
 && mkdir -p /var/cache/autoglm /models && chown autoglm:autoglm /var/cache/autoglm
COPY --from=build /opt/autoglm /opt/autoglm
# the model cache (pulled models, the extracted native library) survives the container; /models is for local files
ENV AUTOGLM_CACHE_DIR=/var/cache/autoglm \
    AUTOGLM_MODELS=/models \
    AUTOGLM_PORT=8080 \
    PATH=/opt/autoglm/bin:$PATH
VOLUME ["/var/cache/autoglm"]
USER autoglm
WORKDIR /home/autoglm
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 CMD ["/opt/autoglm/bin/autoglm-healthcheck"]
ENTRYPOINT ["/opt/autoglm/bin/autoglm"]
CMD ["--help"]
