using System.Net;
using System.Net.Sockets;

namespace Gme.Images;

/// <summary>
/// Which IP addresses a downloaded URL may reach: public unicast only. Everything an attacker could use to reach
/// this machine, its network or the cloud metadata service is refused, including IPv6 forms that embed an IPv4
/// address (mapped, compatible, 6to4, Teredo, NAT64 of a private address).
/// </summary>
public static class AddressPolicy
{
    private static readonly (IPNetwork Network, string Reason)[] s_blocked =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "cgnat"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link_local"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.0.0.0/24"), "reserved"),
        (IPNetwork.Parse("192.0.2.0/24"), "reserved"),
        (IPNetwork.Parse("192.88.99.0/24"), "reserved"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("198.18.0.0/15"), "reserved"),
        (IPNetwork.Parse("198.51.100.0/24"), "reserved"),
        (IPNetwork.Parse("203.0.113.0/24"), "reserved"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"), // includes 255.255.255.255 broadcast
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("::ffff:0:0/96"), "ipv4_mapped"),
        (IPNetwork.Parse("::/96"), "ipv4_compatible"),
        (IPNetwork.Parse("100::/64"), "reserved"),
        (IPNetwork.Parse("2001::/32"), "teredo"),
        (IPNetwork.Parse("2001:db8::/32"), "reserved"),
        (IPNetwork.Parse("2001:10::/28"), "reserved"),
        (IPNetwork.Parse("fc00::/7"), "unique_local"),
        (IPNetwork.Parse("fe80::/10"), "link_local"),
        (IPNetwork.Parse("fec0::/10"), "site_local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork s_sixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork s_nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork s_nat64Local = IPNetwork.Parse("64:ff9b:1::/48");

    /// <summary>Null when <paramref name="address"/> is public unicast, else a short reason such as <c>loopback</c>.</summary>
    public static string? Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return "unsupported_family";
        }

        // A scope id means an interface-local address whatever its prefix.
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            return "link_local";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return "ipv4_mapped";
        }

        foreach (var (network, reason) in s_blocked)
        {
            if (network.Contains(address))
            {
                return reason;
            }
        }

        if (s_nat64Local.Contains(address))
        {
            return "reserved";
        }

        // 6to4 (2002:AABB:CCDD::/48) and NAT64 (64:ff9b::AABB:CCDD) carry an IPv4 address: judge that one.
        if (s_sixToFour.Contains(address))
        {
            var bytes = address.GetAddressBytes();
            return Classify(new IPAddress(bytes.AsSpan(2, 4))) is { } embedded ? $"6to4_{embedded}" : null;
        }

        if (s_nat64.Contains(address))
        {
            var bytes = address.GetAddressBytes();
            return Classify(new IPAddress(bytes.AsSpan(12, 4))) is { } embedded ? $"nat64_{embedded}" : null;
        }

        return null;
    }
}
