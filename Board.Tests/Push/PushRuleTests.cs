using Board.Domain;
using Board.Web.Push;

namespace Board.Tests.Push;

/// <summary>Which endpoints a device may subscribe with: the webhooks' address rule, and https.</summary>
[Trait("Kind", "Domain")]
public sealed class PushRuleTests
{
    [Theory]
    [InlineData("https://127.0.0.1/push")]
    [InlineData("https://localhost/push")]
    [InlineData("https://10.1.2.3/push")]
    [InlineData("https://[::1]/push")]
    [InlineData("https://0x7f000001/push")]
    [InlineData("http://127.0.0.1:8080/push")]
    public void InternalEndpoint_IsRefused_UnlessPrivateNetworksAreAllowed(string endpoint)
    {
        Assert.Equal(RefusalCode.Validation, Assert.Throws<Refusal>(() => PushDevice.ValidEndpoint(endpoint, allowPrivate: false)).Code);
        Assert.Equal(endpoint.TrimEnd('/'), PushDevice.ValidEndpoint(endpoint, allowPrivate: true).OriginalString.TrimEnd('/'));
    }

    [Theory]
    [InlineData("http://push.example.com/send")]
    [InlineData("ftp://push.example.com/send")]
    [InlineData("https://user:pass@push.example.com/send")]
    [InlineData("/relative")]
    public void EndpointThatIsNotPublicHttps_IsRefused_EvenWherePrivateNetworksAreAllowed(string endpoint)
    {
        Assert.Throws<Refusal>(() => PushDevice.ValidEndpoint(endpoint, allowPrivate: true));
        Assert.Throws<Refusal>(() => PushDevice.ValidEndpoint(endpoint, allowPrivate: false));
    }

    [Fact]
    public void PublicHttpsEndpoint_IsAccepted()
    {
        Assert.Equal("fcm.googleapis.com", PushDevice.ValidEndpoint("https://fcm.googleapis.com/fcm/send/abc", allowPrivate: false).Host);
    }
}
