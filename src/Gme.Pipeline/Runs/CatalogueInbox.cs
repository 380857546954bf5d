using System.Security.Cryptography;
using Gme.Core.Errors;
using Gme.Core.Storage;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Runs;

/// <summary>
/// Catalogues given to the runs API by upload or by https URL, kept in the data directory's <c>catalogues</c> folder
/// under their content hash: posting the same catalogue again names the same file, so its unfinished run resumes.
/// Written to a temporary name first and moved into place whole, so a cut-off transfer never leaves a catalogue behind.
/// </summary>
public sealed class CatalogueInbox(DataPaths paths, IHttpClientFactory http, IOptions<RunsApiOptions> options)
{
    public const string HttpClientName = "gme-catalogues";

    private static readonly string[] s_extensions = [".csv", ".jsonl", ".ndjson", ".json", ".parquet"];

    /// <summary>The folder the stored catalogues live in (also their images root: local image paths are not theirs to read).</summary>
    public string Folder => Path.Combine(paths.Root, "catalogues");

    /// <summary>Stores an uploaded catalogue; the file name only gives its type (never where it lands).</summary>
    public Task<StoredCatalogue> StoreAsync(Stream content, string fileName, CancellationToken cancellationToken) =>
        SaveAsync(content, ExtensionOf(fileName, "catalogue"), "catalogue", $"'{fileName}'", cancellationToken);

    /// <summary>Downloads a catalogue from an https URL; its path gives its type.</summary>
    public async Task<StoredCatalogue> DownloadAsync(Uri url, CancellationToken cancellationToken)
    {
        var extension = ExtensionOf(url.AbsolutePath, "url");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.DownloadTimeout);
        HttpResponseMessage response;
        try
        {
            response = await http.CreateClient(HttpClientName).GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new BadInputException("url", $"could not download {url.GetLeftPart(UriPartial.Path)}: {ex.Message}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new BadInputException("url", $"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (response.Content.Headers.ContentLength > options.Value.MaxCatalogueBytes)
            {
                throw TooLarge("url", url.GetLeftPart(UriPartial.Path));
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            return await SaveAsync(body, extension, "url", url.GetLeftPart(UriPartial.Path), timeout.Token);
        }
    }

    /// <summary>
    /// Removes a catalogue stored for a request that was then refused, unless the same content was already here before
    /// it (another request's run may be reading that file).
    /// </summary>
    public static void Discard(StoredCatalogue? stored)
    {
        if (stored is { Created: true })
        {
            File.Delete(stored.Path);
        }
    }

    /// <summary>Streams <paramref name="content"/> into the inbox; a refusal names the catalogue as <paramref name="shown"/>.</summary>
    private async Task<StoredCatalogue> SaveAsync(Stream content, string extension, string parameter, string shown, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        var partial = Path.Combine(Folder, $".{Guid.NewGuid():n}.partial");
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                long total = 0;
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > options.Value.MaxCatalogueBytes)
                    {
                        throw TooLarge(parameter, shown);
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                if (total == 0)
                {
                    throw new BadInputException(parameter, $"{shown} is empty: no catalogue to read");
                }
            }

            var path = Path.Combine(Folder, Convert.ToHexStringLower(hash.GetHashAndReset()) + extension);
            var created = !File.Exists(path);
            File.Move(partial, path, overwrite: true);
            return new StoredCatalogue(path, created);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private BadInputException TooLarge(string parameter, string shown) =>
        new(parameter, $"{shown} is larger than {options.Value.MaxCatalogueBytes:N0} bytes (Gme:Runs:MaxCatalogueBytes)");

    private static string ExtensionOf(string name, string parameter)
    {
        var extension = Path.GetExtension(name).ToLowerInvariant();
        return s_extensions.Contains(extension)
            ? extension
            : throw new BadInputException(parameter, $"'{Path.GetFileName(name)}' is not a catalogue file (use .csv, .jsonl or .parquet)");
    }
}
