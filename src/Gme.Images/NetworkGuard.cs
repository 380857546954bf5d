using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Gme.Images;

/// <summary>
/// The image client's SSRF guard. URLs are checked for scheme and user-info before a request (<see cref="CheckUri"/>);
/// the host is resolved inside the connect callback (<see cref="ConnectAsync"/>) and the socket connects only to the
/// addresses that passed <see cref="AddressPolicy"/>, so a DNS answer cannot change between the check and the connect
/// (rebinding), and every redirect hop, which opens its own connection, is checked the same way.
/// Private networks are reachable only through <see cref="ImageFetchOptions.AllowedPrivateNetworks"/> or an endpoint
/// allowed at run time (<see cref="AllowEndpoint"/>, used by sample mode for its own loopback server).
/// </summary>
public sealed partial class NetworkGuard(IOptions<ImageFetchOptions> options, IDnsResolver resolver, ILogger<NetworkGuard> logger)
{
    private readonly IPNetwork[] _allowedNetworks = [.. options.Value.AllowedPrivateNetworks.Select(IPNetwork.Parse)];
    private readonly ConcurrentDictionary<IPEndPoint, byte> _allowedEndpoints = new();

    /// <summary>Lets connections reach exactly this address and port, whatever the policy says (sample mode's own server).</summary>
    public void AllowEndpoint(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _allowedEndpoints.TryAdd(endpoint, 0);
    }

    /// <summary>Null when the URL may be requested, else a failure reason (the address is checked at connect time).</summary>
    public static string? CheckUri(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || uri.Scheme is not ("http" or "https"))
        {
            return "unsupported_scheme";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "userinfo_in_url";
        }

        if (string.IsNullOrEmpty(uri.IdnHost))
        {
            return "invalid_host";
        }

        return LooksLikeOddIpv4(uri.IdnHost) ? "odd_ip_literal" : null;
    }

    /// <summary>Null when a connection to <paramref name="address"/>:<paramref name="port"/> is allowed, else the reason.</summary>
    public string? Refusal(IPAddress address, int port)
    {
        var reason = AddressPolicy.Classify(address);
        if (reason is null)
        {
            return null;
        }

        if (_allowedEndpoints.ContainsKey(new IPEndPoint(address, port)))
        {
            return null;
        }

        // IPv4-mapped and -compatible forms are never allowed through the list: only the plain address is.
        foreach (var network in _allowedNetworks)
        {
            if (network.Contains(address))
            {
                return null;
            }
        }

        return reason;
    }

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/>: resolve, filter, connect only to what passed.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (LooksLikeOddIpv4(literal))
        {
            throw Blocked(host, "odd_ip_literal");
        }

        var candidates = IPAddress.TryParse(literal, out var parsed) ? [parsed] : await resolver.ResolveAsync(host, cancellationToken);
        var allowed = new List<IPAddress>(candidates.Length);
        string? firstRefusal = null;
        foreach (var address in candidates)
        {
            if (Refusal(address, port) is { } reason)
            {
                firstRefusal ??= reason;
            }
            else
            {
                allowed.Add(address);
            }
        }

        if (allowed.Count == 0)
        {
            throw Blocked(host, firstRefusal ?? "no_address");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync([.. allowed], port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Numeric host spellings other than canonical dotted decimal (2130706433, 0x7f.1, 0177.0.0.1, 127.1). System.Uri
    /// rewrites most of them to dotted decimal already; what is left is refused outright rather than guessed at.
    /// </summary>
    internal static bool LooksLikeOddIpv4(string host)
    {
        var labels = host.TrimEnd('.').Split('.');
        if (labels.Length is 0 or > 4 || !labels.All(IsNumericLabel))
        {
            return false;
        }

        var canonical = labels.Length == 4 && labels.All(l => l.Length > 0 && l.All(char.IsAsciiDigit)
            && (l.Length == 1 || l[0] != '0') && int.Parse(l, System.Globalization.CultureInfo.InvariantCulture) <= 255);
        return !canonical || host.EndsWith('.');
    }

    private static bool IsNumericLabel(string label) =>
        label.Length > 0
        && (label.All(char.IsAsciiDigit)
            || (label.Length >= 2 && label[0] == '0' && label[1] is 'x' or 'X' && label[2..].All(char.IsAsciiHexDigit)));

    private BlockedAddressException Blocked(string host, string reason)
    {
        LogBlocked(logger, host, reason);
        return new BlockedAddressException($"connection to host '{host}' refused: {reason}");
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Image download to host {Host} refused by the SSRF guard: {Reason}")]
    private static partial void LogBlocked(ILogger logger, string host, string reason);
}
