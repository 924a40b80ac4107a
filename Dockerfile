# syntax=docker/dockerfile:1
# medsr images. Two runtime targets share one build:
#   docker build --target cpu -t medsr:cpu .
#   docker build --target gpu -t medsr:gpu .     (CUDA 12 + cuDNN 9; run with --gpus all)
# Both run as a non-root user, keep data in /data (a volume), and answer /healthz.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04

# ---- build: compile TypeScript, then keep production dependencies only -------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# onnxruntime-node's postinstall would fetch CUDA provider libraries; the gpu stage does that on
# purpose below, the cpu image never needs them (.npmrc also says skip).
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
# scripts off here: the root's `prepare` would build before the sources are copied
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
# dependencies' own install scripts (native addons), then our build, then dev dependencies out
RUN npm rebuild && npm run build && npm prune --omit=dev --ignore-scripts

# ---- gpu-libs: the CUDA 12 execution provider of onnxruntime-node, installed at build time ----
FROM build AS gpu-libs
RUN cd node_modules/onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js \
 && ls bin/napi-v6/linux/x64/ | grep -q providers_cuda

# ---- common runtime layout --------------------------------------------------------------------
FROM ${NODE_IMAGE} AS cpu
ENV NODE_ENV=production MEDSR_HOST=0.0.0.0 MEDSR_PORT=8080 MEDSR_DATA_DIR=/data MEDSR_DEVICE=cpu
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root bin ./bin
COPY --chown=root:root package.json ./
COPY --chown=root:root models ./models
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.MEDSR_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/medsr.js"]
CMD ["serve"]

FROM ${CUDA_IMAGE} AS gpu
# Node from the official image (same version as the build stage), no apt repository needed
COPY --from=build /usr/local/bin/node /usr/local/bin/node
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node \
 && mkdir -p /data && chown node:node /data
ENV NODE_ENV=production MEDSR_HOST=0.0.0.0 MEDSR_PORT=8080 MEDSR_DATA_DIR=/data MEDSR_DEVICE=cuda
WORKDIR /app
COPY --from=gpu-libs --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root bin ./bin
COPY --chown=root:root package.json ./
COPY --chown=root:root models ./models
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.MEDSR_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/medsr.js"]
CMD ["serve"]
