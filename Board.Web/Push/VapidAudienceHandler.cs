using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Options;

namespace Board.Web.Push;

/// <summary>
/// Lib.Net.Http.WebPush 3.3.1 writes the JWT's <c>aud</c> as scheme://host, leaving out the port; RFC 8292 (section 2)
/// says the origin of the push resource, port included. The two agree on 443, where push services listen; for a
/// push service on another port this signs the token again for its real origin, with the library's own signer.
/// </summary>
public sealed class VapidAudienceHandler(VapidKeys keys, IOptions<PushOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { IsDefaultPort: false } uri && request.Headers.Authorization is { Scheme: "vapid" })
        {
            using var vapid = new VapidAuthentication(keys.PublicKey, keys.PrivateKey) { Subject = options.Value.Subject };
            request.Headers.Authorization = new("vapid", vapid.GetVapidSchemeAuthenticationHeaderValueParameter(uri.GetLeftPart(UriPartial.Authority)));
        }
        return base.SendAsync(request, cancellationToken);
    }
}
