namespace Board.Domain.Proposals;

/// <summary>A remark on a proposal. Comments are never edited: the trail keeps each one as said.</summary>
public sealed class Comment
{
    /// <summary>Body length limit.</summary>
    public const int BodyMax = 5_000;

    private Comment() { }

    internal Comment(Guid proposalId, Guid authorId, string authorName, string body, DateTimeOffset at)
    {
        Id = Guid.CreateVersion7(at);
        ProposalId = proposalId;
        AuthorId = authorId;
        AuthorName = authorName;
        Body = body;
        At = at;
    }

    /// <summary>Identity.</summary>
    public Guid Id { get; private set; }
    /// <summary>The proposal it belongs to.</summary>
    public Guid ProposalId { get; private set; }
    /// <summary>Who wrote it.</summary>
    public Guid AuthorId { get; private set; }
    /// <summary>Their name when they wrote it.</summary>
    public string AuthorName { get; private set; } = "";
    /// <summary>Markdown text.</summary>
    public string Body { get; private set; } = "";
    /// <summary>When.</summary>
    public DateTimeOffset At { get; private set; }
}
