using System.CommandLine;
using Gme.Cli.Hosting;

namespace Gme.Cli.Remote;

/// <summary>
/// `--url` and `--api-key`: a command that takes them talks to a running service (the Ingest or Search endpoint of
/// the distributed profile, or `gme serve`) over HTTP instead of reading a local data directory.
/// </summary>
internal static class RemoteOptions
{
    /// <summary>Read when --api-key is not given, so the key stays out of shell history and process lists.</summary>
    public const string ApiKeyVariable = "GME_API_KEY";

    public static Option<string?> Url() => new("--url")
    {
        Description = "Ask a running Gme service (its Ingest or Search endpoint, e.g. http://localhost:5080) instead of --data-dir",
    };

    public static Option<string?> ApiKey() => new("--api-key")
    {
        Description = $"The service's API key (sent as X-Api-Key); default: the {ApiKeyVariable} environment variable",
    };

    /// <summary>The client for <paramref name="url"/>, or null when no --url was given.</summary>
    public static GmeServiceClient? Client(ParseResult result, Option<string?> url, Option<string?> apiKey)
    {
        var given = result.GetValue(url);
        if (given is null)
        {
            return null;
        }

        if (!Uri.TryCreate(given, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException($"--url '{given}' is not an http(s) URL");
        }

        var key = result.GetValue(apiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
        return new GmeServiceClient(uri, string.IsNullOrWhiteSpace(key) ? null : key);
    }
}
