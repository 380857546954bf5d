namespace Gme.Images;

/// <summary>
/// Thrown by the image client's connect callback when no address of a host may be connected to. The message names
/// the host and the reason only (never the full URL, which may carry a query with credentials).
/// </summary>
public sealed class BlockedAddressException : IOException
{
    public BlockedAddressException()
        : this("address refused")
    {
    }

    public BlockedAddressException(string message)
        : base(message)
    {
    }

    public BlockedAddressException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
