namespace Gme.VectorStores.Qdrant;

/// <summary>Where the Qdrant server is and how to authenticate, from options or an Aspire connection string.</summary>
public sealed record QdrantConnection(Uri Endpoint, string? ApiKey)
{
    public const string ConnectionStringName = "gme-vectors";

    /// <summary>
    /// Accepts a plain URL, or Aspire's <c>Endpoint=http://host:6334;Key=secret</c>. Options win over the connection
    /// string so a deployment can override what the AppHost injected.
    /// </summary>
    public static QdrantConnection Resolve(QdrantOptions options, string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? url = options.Url;
        var key = options.ApiKey;
        if (string.IsNullOrWhiteSpace(url) && !string.IsNullOrWhiteSpace(connectionString))
        {
            if (connectionString.Contains('=', StringComparison.Ordinal))
            {
                foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
                    if (pair.Length == 2 && pair[0].Equals("Endpoint", StringComparison.OrdinalIgnoreCase))
                    {
                        url = pair[1];
                    }
                    else if (pair.Length == 2 && pair[0].Equals("Key", StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(key))
                    {
                        key = pair[1];
                    }
                }
            }
            else
            {
                url = connectionString;
            }
        }

        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var endpoint)
            || endpoint.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException(
                $"The Qdrant vector store needs an http(s) gRPC address: set {QdrantOptions.SectionName}:Url or ConnectionStrings:{ConnectionStringName}.");
        }

        return new QdrantConnection(endpoint, string.IsNullOrEmpty(key) ? null : key);
    }

    // The key stays out of ToString, which records print in logs and exceptions.
    public override string ToString() => $"{Endpoint} (api key {(ApiKey is null ? "none" : "set")})";
}
