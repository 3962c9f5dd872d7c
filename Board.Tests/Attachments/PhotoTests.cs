using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Proposals;
using Board.Web.Trail;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Board.Tests.Attachments;

/// <summary>Photos on proposals over real HTTP: what is stored is re-encoded pixels, nothing else, and approvals cover it.</summary>
[Trait("Kind", "Api")]
public class PhotoTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task A3000pxJpegWithGps_ComesBackAtMost2048px_Upright_WithNoMetadata_AndTheTrailNamesTheBytesServed()
    {
        using var staff = await app.SignInAsync("staff1");
        var proposal = await staff.PostAsync((await app.FirstBoardAsync()).Id, "A broken shelf by till 2");
        // EXIF orientation 6: the camera was turned; the stored photo must be turned upright (portrait).
        var upload = Photos.Jpeg(3000, 2000, withGps: true, orientation: 6);
        Assert.Contains(Photos.Tags(upload), tag => tag.StartsWith("GPS", StringComparison.Ordinal));

        var response = await Photos.UploadAsync(staff, proposal.Id, upload, "photo.jpg", "The shelf, bent in the middle");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var attachment = (await response.Content.ReadFromJsonAsync<AttachmentDto>(BoardApp.Json))!;
        Assert.Equal("image/jpeg", attachment.ContentType);
        Assert.Equal((1365, 2048), (attachment.Width, attachment.Height));

        var served = await staff.Client.GetAsync($"/api/attachments/{attachment.Id}");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(served.Headers.CacheControl!.MaxAge >= TimeSpan.FromDays(365));
        Assert.Contains("immutable", served.Headers.CacheControl.ToString());
        Assert.Equal("image/jpeg", served.Content.Headers.ContentType!.MediaType);
        var bytes = await served.Content.ReadAsByteArrayAsync();
        Photos.AssertNoMetadata(bytes, 1365, 2048);

        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(attachment.Sha256, sha);
        var entry = Assert.Single(await TrailAsync(staff, proposal.Id, TrailActions.AttachmentAdded));
        Assert.Equal(sha, entry.Data.GetProperty("sha256").GetString());

        var shown = await staff.GetAsync(proposal.Id);
        Assert.Equal(attachment, Assert.Single(shown.Attachments));
        Assert.Equal("The shelf, bent in the middle", shown.Attachments[0].Alt);

        var thumb = await staff.Client.GetByteArrayAsync($"/api/attachments/{attachment.Id}?size=thumb");
        Photos.AssertNoMetadata(thumb, 213, 320);

        // Every list a card is drawn from carries the photos: the board, My proposals, Waiting for me.
        using var ops = await app.SignInAsync("ops4");
        var onBoard = await staff.Client.GetFromJsonAsync<ProposalPage>($"/api/boards/{proposal.BoardId}/proposals?status=open", BoardApp.Json);
        var mine = await staff.Client.GetFromJsonAsync<ProposalPage>("/api/me/proposals", BoardApp.Json);
        var waiting = await ops.Client.GetFromJsonAsync<ProposalPage>("/api/me/waiting", BoardApp.Json);
        foreach (var page in new[] { onBoard!, mine!, waiting! })
            Assert.Equal(attachment, Assert.Single(page.Items.Single(p => p.Id == proposal.Id).Attachments));
    }

    [Theory]
    [InlineData("png", "image/png")]
    [InlineData("webp", "image/webp")]
    public async Task PngAndWebp_AreResizedAndStrippedToo(string format, string contentType)
    {
        using var staff = await app.SignInAsync("staff2");
        var proposal = await staff.PostAsync((await app.FirstBoardAsync()).Id, $"A {format} photo");
        var upload = format == "png" ? Photos.Png(2600, 1300) : Photos.Webp(2600, 1300);

        var response = await Photos.UploadAsync(staff, proposal.Id, upload, $"photo.{format}");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var attachment = (await response.Content.ReadFromJsonAsync<AttachmentDto>(BoardApp.Json))!;
        Assert.Equal((contentType, 2048, 1024), (attachment.ContentType, attachment.Width, attachment.Height));
        var bytes = await staff.Client.GetByteArrayAsync($"/api/attachments/{attachment.Id}");
        Assert.Equal(attachment.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Photos.AssertNoMetadata(bytes, 2048, 1024);
        Assert.DoesNotContain("Board secret comment", Encoding.Latin1.GetString(bytes));
    }

    [Fact]
    public async Task ATextFileNamedJpg_IsRefused_AndLeavesNoRowAndNoTrailEntry()
    {
        using var staff = await app.SignInAsync("staff1");
        var proposal = await staff.PostAsync((await app.FirstBoardAsync()).Id, "Not a photo");
        var before = await TrailAsync(staff, proposal.Id);

        var response = await Photos.UploadAsync(staff, proposal.Id, Encoding.UTF8.GetBytes("just some words, not pixels"), "shelf.jpg", contentType: "image/jpeg");
        var problem = await response.IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("file", out _));

        // A GIF is an image, but not one Board takes.
        var gif = await Photos.UploadAsync(staff, proposal.Id, Photos.Gif(), "shelf.gif", contentType: "image/gif");
        await gif.IsProblemAsync(HttpStatusCode.BadRequest, "validation");

        // A form without its file.
        using var noFile = new MultipartFormDataContent { { new StringContent("a shelf"), "alt" } };
        await (await staff.Client.PostAsync($"/api/proposals/{proposal.Id}/attachments", noFile)).IsProblemAsync(HttpStatusCode.BadRequest, "validation");

        Assert.Empty((await staff.GetAsync(proposal.Id)).Attachments);
        Assert.Equal(before.Count, (await TrailAsync(staff, proposal.Id)).Count);
    }

    [Fact]
    public async Task An11MbUpload_IsACleanProblem413_AndLeavesNothing()
    {
        using var staff = await app.SignInAsync("staff1");
        var proposal = await staff.PostAsync((await app.FirstBoardAsync()).Id, "Too large");
        var before = await TrailAsync(staff, proposal.Id);

        var response = await Photos.UploadAsync(staff, proposal.Id, RandomNumberGenerator.GetBytes(11 * 1024 * 1024), "huge.jpg");
        await response.IsProblemAsync(HttpStatusCode.RequestEntityTooLarge, "too-large");

        // Just over 10 MB of file inside a request the route still takes: refused by the photo's own limit.
        var justOver = await Photos.UploadAsync(staff, proposal.Id, RandomNumberGenerator.GetBytes((int)Attachment.UploadMaxBytes + 10), "over.jpg");
        await justOver.IsProblemAsync(HttpStatusCode.RequestEntityTooLarge, "too-large");

        Assert.Empty((await staff.GetAsync(proposal.Id)).Attachments);
        Assert.Equal(before.Count, (await TrailAsync(staff, proposal.Id)).Count);
        // Every other route keeps its small limit.
        var big = new ByteArrayContent(new byte[1024 * 1024]);
        big.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await (await staff.Client.PutAsync($"/api/proposals/{proposal.Id}", big)).IsProblemAsync(HttpStatusCode.RequestEntityTooLarge, "too-large");
    }

    [Fact]
    public async Task SomeoneElse_CannotAddOrRemoveAPhoto_ButEveryMemberSeesIt()
    {
        using var staff = await app.SignInAsync("staff1");
        using var other = await app.SignInAsync("staff2");
        var proposal = await staff.PostAsync((await app.FirstBoardAsync()).Id, "Only the author adds photos");
        var added = await Photos.UploadAsync(staff, proposal.Id, Photos.Jpeg(400, 300), "a.jpg");
        var attachment = (await added.Content.ReadFromJsonAsync<AttachmentDto>(BoardApp.Json))!;

        await (await Photos.UploadAsync(other, proposal.Id, Photos.Jpeg(400, 300), "b.jpg")).IsProblemAsync(HttpStatusCode.Forbidden, "not-author");
        await (await other.Client.DeleteAsync($"/api/attachments/{attachment.Id}")).IsProblemAsync(HttpStatusCode.Forbidden, "not-author");
        Assert.Equal(HttpStatusCode.OK, (await other.Client.GetAsync($"/api/attachments/{attachment.Id}?size=thumb")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync($"/api/attachments/{attachment.Id}")).StatusCode);
        Assert.Single((await staff.GetAsync(proposal.Id)).Attachments);
    }

    [Fact]
    public async Task AddingAPhotoAfterTwoApprovals_DismissesThem_AndRemovingOne_ToosAndDeletesItsBytes()
    {
        using var staff = await app.SignInAsync("staff3");
        var proposal = await staff.PostAsync((await app.FirstBoardAsync()).Id, "Approvals cover the photos");
        await app.ApproveAsAsync(proposal.Id, "ops1", "ops2");

        var added = await Photos.UploadAsync(staff, proposal.Id, Photos.Jpeg(800, 600), "a.jpg");
        var attachment = (await added.Content.ReadFromJsonAsync<AttachmentDto>(BoardApp.Json))!;
        var afterAdd = await staff.GetAsync(proposal.Id);
        Assert.Empty(afterAdd.Approvals);
        Assert.Equal("open", afterAdd.Status);
        var entry = Assert.Single(await TrailAsync(staff, proposal.Id, TrailActions.AttachmentAdded));
        Assert.Equal(2, entry.Data.GetProperty("approvalsDismissed").GetArrayLength());

        await app.ApproveAsAsync(proposal.Id, "ops3");
        var removed = await staff.Client.DeleteAsync($"/api/attachments/{attachment.Id}");
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        var afterRemove = (await removed.Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!;
        Assert.Empty(afterRemove.Attachments);
        Assert.Empty(afterRemove.Approvals);
        var gone = Assert.Single(await TrailAsync(staff, proposal.Id, TrailActions.AttachmentRemoved));
        Assert.Equal(attachment.Sha256, gone.Data.GetProperty("sha256").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await staff.Client.GetAsync($"/api/attachments/{attachment.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await staff.Client.DeleteAsync($"/api/attachments/{attachment.Id}")).StatusCode);
    }

    [Fact]
    public async Task AtMostSixPhotos_AndUnknownSizeIsRefused()
    {
        using var staff = await app.SignInAsync("staff2");
        var proposal = await staff.PostAsync((await app.FirstBoardAsync()).Id, "Six photos at most");
        var small = Photos.Png(40, 30);
        for (var i = 0; i < Attachment.PerProposalMax; i++)
            Assert.Equal(HttpStatusCode.Created, (await Photos.UploadAsync(staff, proposal.Id, small, "s.png")).StatusCode);
        await (await Photos.UploadAsync(staff, proposal.Id, small, "s.png")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        var shown = await staff.GetAsync(proposal.Id);
        Assert.Equal(Attachment.PerProposalMax, shown.Attachments.Count);
        await (await staff.Client.GetAsync($"/api/attachments/{shown.Attachments[0].Id}?size=huge")).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
    }

    private static async Task<List<TrailEntryDto>> TrailAsync(Session session, Guid proposalId, string? action = null)
    {
        var page = await session.Client.GetFromJsonAsync<TrailPage>(
            $"/api/audit?proposalId={proposalId}&limit=500{(action is null ? "" : $"&action={action}")}", BoardApp.Json);
        return [.. page!.Items];
    }
}

/// <summary>The same round trip on PostgreSQL: the bytes live in <c>bytea</c>, in the same transaction.</summary>
[Trait("Kind", "Api")]
public sealed class PostgresPhotoTests(PostgresBoardApp app) : IClassFixture<PostgresBoardApp>
{
    [Fact]
    public async Task AJpegWithGps_IsStoredAndServedWithoutMetadata()
    {
        using var staff = await app.SignInAsync("staff1");
        var proposal = await staff.PostAsync((await app.FirstBoardAsync()).Id, "On PostgreSQL");
        var response = await Photos.UploadAsync(staff, proposal.Id, Photos.Jpeg(2500, 1000, withGps: true), "p.jpg");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var attachment = (await response.Content.ReadFromJsonAsync<AttachmentDto>(BoardApp.Json))!;
        var bytes = await staff.Client.GetByteArrayAsync($"/api/attachments/{attachment.Id}");
        Assert.Equal(attachment.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Photos.AssertNoMetadata(bytes, 2048, 819);
    }
}

/// <summary>Test photos made with ImageSharp, and the checks on what comes back.</summary>
public static class Photos
{
    public static async Task<HttpResponseMessage> UploadAsync(Session session, Guid proposalId, byte[] bytes, string fileName, string? alt = null, string contentType = "image/jpeg")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        if (alt is not null) form.Add(new StringContent(alt), "alt");
        return await session.Client.PostAsync($"/api/proposals/{proposalId}/attachments", form);
    }

    public static byte[] Jpeg(int width, int height, bool withGps = false, ushort orientation = 1)
    {
        using var image = Gradient<Rgb24>(width, height);
        var exif = new ExifProfile();
        exif.SetValue(ExifTag.Orientation, orientation);
        exif.SetValue(ExifTag.Make, "Board test camera");
        if (withGps)
        {
            exif.SetValue(ExifTag.GPSLatitudeRef, "N");
            exif.SetValue(ExifTag.GPSLatitude, [new Rational(37, 1), new Rational(29, 1), new Rational(54, 1)]);
            exif.SetValue(ExifTag.GPSLongitudeRef, "E");
            exif.SetValue(ExifTag.GPSLongitude, [new Rational(127, 1), new Rational(1, 1), new Rational(39, 1)]);
        }
        image.Metadata.ExifProfile = exif;
        return Save(image, new JpegEncoder { Quality = 90 });
    }

    public static byte[] Png(int width, int height)
    {
        using var image = Gradient<Rgba32>(width, height);
        image.Metadata.GetPngMetadata().TextData.Add(new PngTextData("Comment", "Board secret comment", "", ""));
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Software, "Board secret comment");
        return Save(image, new PngEncoder());
    }

    public static byte[] Webp(int width, int height)
    {
        using var image = Gradient<Rgba32>(width, height);
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Software, "Board secret comment");
        return Save(image, new WebpEncoder { Quality = 75 });
    }

    public static byte[] Gif()
    {
        using var image = Gradient<Rgba32>(20, 20);
        return Save(image, new SixLabors.ImageSharp.Formats.Gif.GifEncoder());
    }

    /// <summary>The EXIF tags an encoded image carries (empty without EXIF).</summary>
    public static List<string> Tags(byte[] bytes)
    {
        using var image = Image.Load(bytes);
        return image.Metadata.ExifProfile is { } exif ? [.. exif.Values.Select(v => v.Tag.ToString())] : [];
    }

    public static void AssertNoMetadata(byte[] bytes, int width, int height)
    {
        using var image = Image.Load(bytes);
        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Null(image.Metadata.ExifProfile);
        Assert.Null(image.Metadata.XmpProfile);
        Assert.Null(image.Metadata.IptcProfile);
        Assert.Null(image.Metadata.IccProfile);
        Assert.All(image.Frames, f => Assert.Null(f.Metadata.ExifProfile));
        var text = Encoding.Latin1.GetString(bytes);
        Assert.DoesNotContain("Exif\0", text);
        Assert.DoesNotContain("Board test camera", text);
        Assert.DoesNotContain("tEXt", text);
    }

    private static Image<TPixel> Gradient<TPixel>(int width, int height) where TPixel : unmanaged, IPixel<TPixel>
    {
        var image = new Image<TPixel>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                    row[x].FromRgba32(new Rgba32((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)((x + y) % 256), 255));
            }
        });
        return image;
    }

    private static byte[] Save<TPixel>(Image<TPixel> image, SixLabors.ImageSharp.Formats.IImageEncoder encoder) where TPixel : unmanaged, IPixel<TPixel>
    {
        using var output = new MemoryStream();
        image.Save(output, encoder);
        return output.ToArray();
    }
}
