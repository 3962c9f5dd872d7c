namespace Board.Web.Push;

/// <summary>
/// The words of a notification, in the device's language. A notification says what happened and links to it; the
/// page shows the rest once opened. No email, no secret: what a lock screen shows to anyone nearby.
/// </summary>
public static class PushTexts
{
    public const int BodyMax = 200;

    public sealed record Payload(string Title, string Body, string Url, string Tag);

    public static string Language(string? acceptLanguage) =>
        acceptLanguage?.TrimStart().StartsWith("ko", StringComparison.OrdinalIgnoreCase) == true ? "ko" : "en";

    public static Payload Waiting(string language, IReadOnlyList<(Guid Id, string Title)> proposals)
    {
        var ko = language == "ko";
        if (proposals.Count == 1)
        {
            var (id, title) = proposals[0];
            return new(ko ? "승인을 기다리는 제안" : "Waiting for your approval", Cut(title), ProposalUrl(id), $"waiting-{id:N}");
        }
        var titles = Cut(string.Join(" · ", proposals.Select(p => p.Title)));
        return new(ko ? $"승인을 기다리는 제안 {proposals.Count}건" : $"{proposals.Count} proposals wait for your approval", titles, "/#/waiting", "waiting");
    }

    public static Payload Executed(string language, Guid id, string title) =>
        new(language == "ko" ? "내 제안이 실행되었습니다" : "Your proposal executed", Cut(title), ProposalUrl(id), $"proposal-{id:N}");

    public static Payload Done(string language, Guid id, string title) =>
        new(language == "ko" ? "내 제안이 완료되었습니다" : "Your proposal is done", Cut(title), ProposalUrl(id), $"proposal-{id:N}");

    private static string ProposalUrl(Guid id) => $"/#/proposal/{id}";

    private static string Cut(string text) => text.Length <= BodyMax ? text : string.Concat(text.AsSpan(0, BodyMax - 1), "…");
}
