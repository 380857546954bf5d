using System.Globalization;
using System.Net;

namespace Gme.Tests.Ingest;

/// <summary>
/// Generates hostile image URLs systematically: every private, loopback, link-local, CGNAT, multicast, reserved and
/// broadcast IPv4 target in eight spellings (dotted, decimal, hex, octal, dotted hex, two short forms, trailing dot),
/// IPv6 forms (loopback, mapped, compatible, ULA, link- and site-local, multicast, 6to4, Teredo, NAT64), DNS names
/// mapped to all of those, other schemes and user-info tricks. Loopback targets use the canary's port.
/// </summary>
internal static class HostileUrlCorpus
{
    public static readonly string[] Ipv4Targets =
    [
        "127.0.0.1", "127.1.2.3", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254",
        "192.168.0.1", "192.168.255.254", "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.254",
        "0.0.0.0", "0.1.2.3", "255.255.255.255", "224.0.0.1", "239.255.255.250", "192.0.0.8", "198.18.0.1",
        "240.0.0.1",
    ];

    public static readonly string[] Ipv6Targets =
    [
        "::1", "::", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:169.254.169.254", "::ffff:a9fe:a9fe",
        "::ffff:10.0.0.1", "::127.0.0.1", "::7f00:1", "fe80::1", "fe80::a9fe:a9fe", "fc00::1", "fd12:3456:789a::1",
        "fec0::1", "ff02::1", "ff05::2", "2002:7f00:1::1", "2002:a9fe:a9fe::1", "2002:c0a8:101::1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1", "64:ff9b:1::1",
        "2001:db8::1", "100::1",
    ];

    /// <summary>URLs whose host is an address literal or a DNS name (names are mapped by <see cref="MapNames"/>).</summary>
    public static IEnumerable<string> Direct(int port)
    {
        foreach (var target in Ipv4Targets)
        {
            foreach (var host in Spellings(IPAddress.Parse(target)))
            {
                yield return $"http://{host}:{port}/img.jpg";
            }
        }

        foreach (var target in Ipv6Targets)
        {
            yield return $"http://[{target}]:{port}/img.jpg";
        }

        foreach (var name in Names())
        {
            yield return $"http://{name.Host}:{port}/img.jpg";
        }

        yield return $"https://127.0.0.1:{port}/img.jpg";
        yield return $"http://localhost:{port}/img.jpg";
        yield return $"http://LOCALHOST:{port}/img.jpg";
        yield return $"http://anything.localhost:{port}/img.jpg";
        yield return $"http://user:secret@example.com:{port}/img.jpg";
        yield return $"http://example.com:{port}@127.0.0.1:{port}/img.jpg";
        yield return $"http://127.0.0.1:{port}#@example.com/img.jpg";
        yield return $"ftp://127.0.0.1:{port}/img.jpg";
        yield return $"gopher://127.0.0.1:{port}/_GET%20/";
        yield return $"dict://127.0.0.1:{port}/info";
        yield return $"ldap://127.0.0.1:{port}/";
        yield return "file:///etc/passwd";
        yield return "data:image/png;base64,iVBORw0KGgo=";
        yield return "javascript:alert(1)";
        yield return "img.jpg";
        yield return "//127.0.0.1/img.jpg";
    }

    /// <summary>DNS names (with the fake resolver's answer) for every target, v4 and v6.</summary>
    public static IEnumerable<(string Host, IPAddress Address)> Names()
    {
        var i = 0;
        foreach (var target in Ipv4Targets.Concat(Ipv6Targets))
        {
            yield return ($"host{i++}.hostile.test", IPAddress.Parse(target));
        }
    }

    public static void MapNames(FakeDnsResolver resolver)
    {
        foreach (var (host, address) in Names())
        {
            resolver.Map(host, [address]);
        }

        // A name answering a public and a private address: only the public one may be used, and here it is absent.
        resolver.Map("mixed.hostile.test", [IPAddress.Parse("10.0.0.1"), IPAddress.Loopback]);
    }

    private static IEnumerable<string> Spellings(IPAddress address)
    {
        var b = address.GetAddressBytes();
        var value = ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
        var inv = CultureInfo.InvariantCulture;
        yield return address.ToString();
        yield return value.ToString(inv);
        yield return "0x" + value.ToString("x8", inv);
        yield return string.Join('.', b.Select(x => "0" + Convert.ToString(x, 8)));
        yield return string.Join('.', b.Select(x => "0x" + x.ToString("x", inv)));
        yield return $"{b[0]}.{(b[1] << 16) | (b[2] << 8) | b[3]}";
        yield return $"{b[0]}.{b[1]}.{(b[2] << 8) | b[3]}";
        yield return address + ".";
    }
}
