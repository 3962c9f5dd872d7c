using System.Net;
using System.Net.Sockets;

namespace Board.Web.Webhooks;

/// <summary>A webhook target resolved to an address Board does not send to.</summary>
public sealed class BlockedAddressException(string host) : Exception($"{host} resolves to an internal address")
{
    public const string LogText = "blocked address";
}

/// <summary>
/// Which addresses a webhook may reach: public unicast only. Checked when the connection is made, on the addresses
/// DNS returned, and the socket connects to the checked address itself — so a name that resolves to a public address
/// for the check and an internal one for the connection (DNS rebinding) cannot get through.
/// </summary>
public static class AddressGuard
{
    private static readonly (IPAddress Network, int Prefix)[] Blocked = [.. new[]
    {
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4",
        "::/96", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    }.Select(Parse)];

    /// <summary>Whether a webhook may connect to <paramref name="address"/>.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return IsPublic(address.MapToIPv4());
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // Global unicast is 2000::/3; everything else (loopback, unspecified, unique-local, link-local, multicast) is not.
            if ((address.GetAddressBytes()[0] & 0xE0) != 0x20) return false;
        }
        else if (address.AddressFamily != AddressFamily.InterNetwork) return false;
        return !Blocked.Any(b => b.Network.AddressFamily == address.AddressFamily && InNetwork(address, b.Network, b.Prefix));
    }

    /// <summary>
    /// Whether <paramref name="url"/> plainly names an internal target, as far as can be told without DNS: an IP literal
    /// in any spelling the URL parser accepts (decimal, hex, octal, IPv4-mapped…), or a localhost name.
    /// </summary>
    public static bool IsPlainlyInternal(Uri url)
    {
        var host = url.IdnHost.TrimEnd('.');
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip)) return !IsPublic(ip);
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || !host.Contains('.');
    }

    /// <summary>The connect step of the webhook client: resolve, check every address, connect to a checked one.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        // One internal address among several is enough to refuse: which one the socket would pick is not ours to guess.
        if (!allowPrivate && addresses.Any(a => !IsPublic(a))) throw new BlockedAddressException(host);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static (IPAddress, int) Parse(string cidr)
    {
        var slash = cidr.IndexOf('/');
        return (IPAddress.Parse(cidr[..slash]), int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static bool InNetwork(IPAddress address, IPAddress network, int prefix)
    {
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        var full = prefix / 8;
        for (var i = 0; i < full; i++)
            if (a[i] != n[i]) return false;
        var rest = prefix % 8;
        if (rest == 0) return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (a[full] & mask) == (n[full] & mask);
    }
}
