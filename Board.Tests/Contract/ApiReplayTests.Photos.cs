using System.Net.Http.Headers;
using System.Text;
using Board.Tests.Attachments;

namespace Board.Tests.Contract;

public sealed partial class ApiReplayTests
{
    private async Task ReplayPhotosAsync(HttpClient anonymous, Guid boardId, Session staff, Session staff2, Guid unknown)
    {
        const string upload = "/api/proposals/{id}/attachments", one = "/api/attachments/{id}";
        var proposal = Id(await Send(staff.Client, "POST", "/api/boards/{boardId}/proposals", 201, body: new { title = "Replay a shelf photo", body = "" }, route: boardId));
        var photo = await Send(staff.Client, "POST", upload, 201, content: Form(Photos.Jpeg(64, 48), "a shelf"), route: proposal);
        var attachment = Id(photo);
        await Send(staff2.Client, "POST", upload, 403, "not-author", content: Form(Photos.Jpeg(64, 48), "mine"), route: proposal);
        await Send(staff.Client, "POST", upload, 400, "validation", content: Form(Encoding.UTF8.GetBytes("not a photo"), "text"), route: proposal);
        await Send(staff.Client, "POST", upload, 400, "validation", content: Form(Photos.Jpeg(64, 48), new string('a', 301)), route: proposal);
        await Send(staff.Client, "POST", upload, 404, "not-found", content: Form(Photos.Jpeg(64, 48), "nowhere"), route: unknown);
        await Send(anonymous, "POST", upload, 401, "unauthenticated", content: Form(Photos.Jpeg(64, 48), "anyone"), route: proposal);
        await Send(staff.Client, "POST", upload, 415, "unsupported-media-type", content: new StringContent("{}", Encoding.UTF8, "application/json"), route: proposal);

        await Send(staff.Client, "GET", one, 200, route: attachment);
        await Send(staff2.Client, "GET", one, 200, query: "?size=thumb", route: attachment);
        await Send(staff.Client, "GET", one, 400, "validation", query: "?size=huge", route: attachment);
        await Send(staff.Client, "GET", one, 404, "not-found", route: unknown);
        await Send(anonymous, "GET", one, 401, "unauthenticated", route: attachment);

        await Send(staff2.Client, "DELETE", one, 403, "not-author", route: attachment);
        await Send(staff.Client, "DELETE", one, 404, "not-found", route: unknown);
        await Send(staff.Client, "DELETE", one, 200, route: attachment);

        var kept = Id(await Send(staff.Client, "POST", upload, 201, content: Form(Photos.Png(32, 32), "kept"), route: proposal));
        await Send(staff.Client, "POST", "/api/proposals/{id}/withdraw", 200, route: proposal);
        await Send(staff.Client, "POST", upload, 409, "not-open", content: Form(Photos.Jpeg(64, 48), "too late"), route: proposal);
        await Send(staff.Client, "DELETE", one, 409, "not-open", route: kept);
    }

    private static MultipartFormDataContent Form(byte[] bytes, string alt)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        return new MultipartFormDataContent { { file, "file", "photo.jpg" }, { new StringContent(alt), "alt" } };
    }
}
