# One image per Gme service, built from the repository root by azd (the AppHost's publish mode names this file):
#   docker build -f deploy/service.Dockerfile --build-arg SERVICE=Gme.Ingest .
# SERVICE is one of Gme.Ingest, Gme.Embedder, Gme.Indexer, Gme.Search.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG SERVICE
WORKDIR /repo
COPY . .
RUN test -n "$SERVICE" && dotnet publish "src/$SERVICE/$SERVICE.csproj" -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
ARG SERVICE
ENV GME_SERVICE=$SERVICE
WORKDIR /app
COPY --from=build /app .
# The data volume is mounted here (Gme__DataDirectory); the service runs as the image's non-root user.
RUN mkdir -p /data && chown "$APP_UID" /data
USER $APP_UID
ENTRYPOINT ["sh", "-c", "exec dotnet \"/app/$GME_SERVICE.dll\""]
