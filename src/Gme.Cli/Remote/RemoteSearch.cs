using System.Net.Http.Headers;
using Gme.Pipeline.Search;

namespace Gme.Cli.Remote;

/// <summary>`gme search --url`: the search API (<c>GET /api/search</c>, <c>POST /api/search/image</c>), which answers with the hits `gme search --json` prints.</summary>
internal static class RemoteSearch
{
    public static async Task<IReadOnlyList<SearchHit>> SearchAsync(
        GmeServiceClient client, string? text, FileInfo? image, string? similar, string[] filters, int top, SearchMode mode, CancellationToken cancellationToken)
    {
        if (image is null)
        {
            var query = new List<string> { $"top={top}", $"mode={mode.ToString().ToLowerInvariant()}" };
            if (text is not null)
            {
                query.Add("q=" + Uri.EscapeDataString(text));
            }

            if (similar is not null)
            {
                query.Add("similar=" + Uri.EscapeDataString(similar));
            }

            query.AddRange(filters.Select(f => "filter=" + Uri.EscapeDataString(f)));
            return await client.GetAsync<List<SearchHit>>("api/search?" + string.Join('&', query), cancellationToken);
        }

        if (!image.Exists)
        {
            throw new FileNotFoundException($"--image '{image.FullName}' does not exist", image.FullName);
        }

        using var form = new MultipartFormDataContent();
        var photo = new StreamContent(image.OpenRead());
        photo.Headers.ContentType = new MediaTypeHeaderValue("image/" + (image.Extension.TrimStart('.').ToLowerInvariant() is "jpg" or "" ? "jpeg" : image.Extension.TrimStart('.').ToLowerInvariant()));
        form.Add(photo, "image", image.Name);
        form.Add(new StringContent(top.ToString(System.Globalization.CultureInfo.InvariantCulture)), "top");
        if (text is not null)
        {
            form.Add(new StringContent(text), "q");
        }

        foreach (var filter in filters)
        {
            form.Add(new StringContent(filter), "filter");
        }

        return await client.PostAsync<List<SearchHit>>("api/search/image", form, cancellationToken);
    }
}
