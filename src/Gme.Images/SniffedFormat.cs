namespace Gme.Images;

/// <summary>What the first bytes of a download say it is.</summary>
public enum SniffedFormat
{
    Unknown,
    Jpeg,
    Png,
    Gif,
    Webp,

    /// <summary>Text such as an HTML error page: certainly not a photo.</summary>
    Markup,
}
