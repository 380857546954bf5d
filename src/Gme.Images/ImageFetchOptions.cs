using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Gme.Images;

/// <summary>How product photos are downloaded and normalised (section <c>Gme:Images</c>).</summary>
public sealed class ImageFetchOptions : IValidatableObject
{
    public const string SectionName = "Gme:Images";

    /// <summary>One deadline per image, covering every attempt, the body and the waits between attempts.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest response body (or local file) accepted; product photos are well under this.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Retries after the first attempt for 429, 5xx, timeouts and network errors.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 5;

    /// <summary>First backoff; doubled on each retry, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Cap on any one wait, including a server's Retry-After (a server asking for an hour gets this).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest side of the stored image; larger images are scaled down.</summary>
    [Range(16, 4096)]
    public int MaxDimension { get; set; } = 512;

    [Range(50, 100)]
    public int JpegQuality { get; set; } = 90;

    /// <summary>Images with more pixels are refused before decoding (decompression bombs).</summary>
    [Range(1, 1_000_000_000)]
    public long MaxPixels { get; set; } = 40_000_000;

    [Range(1, 65_535)]
    public int MaxSidePixels { get; set; } = 16_384;

    /// <summary>Hard cap on decoder buffers, a second line of defence behind <see cref="MaxPixels"/>.</summary>
    [Range(16, 16_384)]
    public int DecoderMemoryLimitMegabytes { get; set; } = 512;

    /// <summary>Images downloading at once in this process, across all chunks and runs.</summary>
    [Range(1, 1024)]
    public int MaxConcurrency { get; set; } = 32;

    /// <summary>Images downloading at once from one host (politeness); also the connection cap per server.</summary>
    [Range(1, 1024)]
    public int MaxConcurrencyPerHost { get; set; } = 16;

    /// <summary>Redirects followed per image; each hop is checked by the SSRF guard again.</summary>
    [Range(0, 10)]
    public int MaxRedirects { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// CIDR blocks (such as <c>127.0.0.1/32</c> or <c>10.20.0.0/16</c>) that image URLs may reach although the SSRF
    /// guard refuses private, loopback and link-local addresses. Empty by default: only public addresses.
    /// </summary>
    [SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Bound from configuration.")]
    public string[] AllowedPrivateNetworks { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in AllowedPrivateNetworks)
        {
            if (!IPNetwork.TryParse(network, out _))
            {
                yield return new ValidationResult($"'{network}' is not a CIDR block such as 127.0.0.1/32.", [nameof(AllowedPrivateNetworks)]);
            }
        }
    }
}
