using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Board.Tests.Attachments;

/// <summary>
/// A member on a phone attaches a photo while posting: previewed before sending, then on the card and the page; then
/// removes it by editing, which dismisses the approval given meanwhile.
/// </summary>
[Trait("Kind", "Browser")]
public sealed class PhotoPageTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Theory]
    [InlineData("en", "Shelf 4 bent in the middle")]
    [InlineData("ko", "가운데가 휜 4번 선반")]
    public async Task Staff_AttachesAPhotoWhilePosting_AndSeesItOnTheCardAndThePage(string lang, string alt)
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync();
        await using var screen = await Screen.OpenAsync(app.Browser, app.BaseAddress, $"staff2-{lang}", Screen.Phone390, locale: lang == "ko" ? "ko-KR" : "en-US");
        await screen.SignInAsync("staff2");
        await screen.GoAsync($"#/board/{board.Id}");
        await Expect(screen.Page.Locator("#board-title")).ToHaveTextAsync(board.Name);

        var title = $"A photo of the broken shelf {lang}";
        await screen.Page.Locator("#new-proposal").ClickAsync();
        await screen.Page.Locator(".compose input[name=title]").FillAsync(title);
        await screen.Page.Locator(".compose textarea[name=body]").FillAsync("It will fall on someone.");
        // The camera (capture) and the gallery are both offered; the gallery is used here.
        await Expect(screen.Page.Locator(".compose input[type=file][accept='image/*'][capture]")).ToHaveCountAsync(1);
        await screen.Page.Locator(".compose input[type=file][multiple]").SetInputFilesAsync(new FilePayload
        {
            Name = "shelf.png", MimeType = "image/png", Buffer = Photos.Png(1200, 900),
        });
        var preview = screen.Page.Locator(".photo-pick canvas[role=img]");
        await Expect(preview).ToBeVisibleAsync();
        await Expect(preview).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("shelf\\.png"));
        await screen.Page.Locator(".photo-pick input").FillAsync(alt);
        Assert.Equal(0, await screen.HorizontalOverflowAsync());
        await screen.AssertAccessibleAsync("composer with a photo");
        await screen.ScreenshotAsync($"photo-compose-phone-{lang}.png");
        await screen.Page.Locator(".compose button[type=submit]").ClickAsync();

        var card = screen.Page.Locator("#group-open .proposal-card", new() { HasText = title });
        var thumb = card.Locator(".card-photos img");
        await Expect(thumb).ToHaveAttributeAsync("alt", alt);
        await Expect(thumb).ToHaveAttributeAsync("loading", "lazy");
        await thumb.ScrollIntoViewIfNeededAsync();
        await LoadedAsync(thumb, 320);
        await screen.AssertAccessibleAsync("board with a photo");

        await card.Locator(".card-title a").ClickAsync();
        var photo = screen.Page.Locator("#photos img.photo-full");
        await Expect(photo).ToHaveAttributeAsync("alt", alt);
        await Expect(screen.Page.Locator("#photos figcaption")).ToHaveTextAsync(alt);
        await photo.ScrollIntoViewIfNeededAsync();
        await LoadedAsync(photo, 1200);
        Assert.Equal(0, await screen.HorizontalOverflowAsync());
        await screen.AssertAccessibleAsync("proposal with a photo");
        await screen.ScreenshotAsync($"photo-proposal-phone-{lang}.png", fullPage: false);

        // Editing: the photo removed, and the approval given meanwhile dismissed, on screen and in the timeline.
        var proposalId = Guid.Parse(screen.Page.Url.Split("#/proposal/")[1]);
        await app.ApproveAsAsync(proposalId, "ops1");
        await Expect(screen.Page.Locator(".approval-list li")).ToHaveCountAsync(1);
        await screen.Page.Locator("#edit").ClickAsync();
        await Expect(screen.Page.Locator(".compose .warning")).ToBeVisibleAsync();
        await screen.Page.Locator(".compose .photo-pick button").ClickAsync();
        await Expect(screen.Page.Locator(".compose .photo-pick")).ToHaveCountAsync(0);
        await screen.Page.Locator(".compose button[type=submit]").ClickAsync();
        await Expect(screen.Page.Locator("#photos")).ToBeHiddenAsync();
        await Expect(screen.Page.Locator(".approval-list li")).ToHaveCountAsync(0);
        await Expect(screen.Page.Locator("#timeline li[data-action='attachment.removed'] .muted")).ToBeVisibleAsync();
        await screen.AssertAccessibleAsync("proposal after its photo was removed");

        await screen.Page.Locator("[data-route=mine]").ClickAsync();
        await Expect(screen.Page.Locator(".proposal-card", new() { HasText = title })).ToBeVisibleAsync();
        await Expect(screen.Page.Locator(".proposal-card", new() { HasText = title }).Locator(".card-photos img")).ToHaveCountAsync(0);
        // A CSP refusal or a failed image would show here.
        Assert.Empty(screen.Errors);
    }

    /// <summary>The image arrived and decoded at <paramref name="width"/> pixels: served, allowed by the CSP, shown.</summary>
    private static async Task LoadedAsync(ILocator image, int width)
    {
        await image.EvaluateAsync("img => img.decode()");
        Assert.Equal(width, await image.EvaluateAsync<int>("img => img.naturalWidth"));
    }
}
