using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Board.Domain.Members;
using Board.Domain.Text;
using Board.Domain.Trail;

namespace Board.Domain.Proposals;

/// <summary>
/// An improvement proposal and the rule that decides it: once its quorum of approvers has approved the
/// words as they stand, it executes in the same change that recorded the deciding approval.
/// </summary>
public sealed class Proposal : IRecordsTrail
{
    /// <summary>Title length limit (after trimming).</summary>
    public const int TitleMax = 120;
    /// <summary>Body length limit.</summary>
    public const int BodyMax = 20_000;
    /// <summary>Outcome note length limit.</summary>
    public const int NoteMax = 5_000;

    private readonly List<Approval> _approvals = [];
    private readonly List<Comment> _comments = [];
    private readonly List<Attachment> _attachments = [];
    private readonly List<TrailFact> _trail = [];

    private Proposal() { }

    /// <summary>Identity.</summary>
    public Guid Id { get; private set; }
    /// <summary>The board it was posted on.</summary>
    public Guid BoardId { get; private set; }
    /// <summary>Plain-text title.</summary>
    public string Title { get; private set; } = "";
    /// <summary>Markdown body.</summary>
    public string Body { get; private set; } = "";
    /// <summary>SHA-256 of the current title, body and photos (<see cref="HashContent"/>); what an approval approves.</summary>
    public string TextHash { get; private set; } = "";
    /// <summary>Who posted it.</summary>
    public Guid AuthorId { get; private set; }
    /// <summary>Their name when they posted it.</summary>
    public string AuthorName { get; private set; } = "";
    /// <summary>Where it stands.</summary>
    public ProposalStatus Status { get; private set; }
    /// <summary>The quorum copied from the board's policy when posted.</summary>
    public int ApprovalsRequired { get; private set; }
    /// <summary>The approver role copied from the board's policy when posted.</summary>
    public string ApproverRole { get; private set; } = Roles.Operations;
    /// <summary>The executed or done proposal this one would undo, if any.</summary>
    public Guid? ReversesId { get; private set; }
    /// <summary>When posted.</summary>
    public DateTimeOffset PostedAt { get; private set; }
    /// <summary>When it expires if still open (null = never).</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }
    /// <summary>When the text was last changed.</summary>
    public DateTimeOffset? EditedAt { get; private set; }
    /// <summary>When it executed.</summary>
    public DateTimeOffset? ExecutedAt { get; private set; }
    /// <summary>When its outcome was recorded.</summary>
    public DateTimeOffset? CompletedAt { get; private set; }
    /// <summary>Who recorded the outcome.</summary>
    public string? CompletedByName { get; private set; }
    /// <summary>The outcome.</summary>
    public string? CompletionNote { get; private set; }
    /// <summary>When it was withdrawn or expired.</summary>
    public DateTimeOffset? ClosedAt { get; private set; }
    /// <summary>Bumped by every change; the store's concurrency token.</summary>
    public int Version { get; private set; }

    /// <summary>Approvals given to the current words, counting or not.</summary>
    public IReadOnlyList<Approval> Approvals => _approvals;
    /// <summary>Comments, oldest first.</summary>
    public IReadOnlyList<Comment> Comments => _comments;
    /// <summary>Photos, in the order they were added (the order the approval hash covers them in).</summary>
    public IReadOnlyList<Attachment> Attachments => [.. _attachments.OrderBy(a => a.Position)];
    /// <summary>Approvals that count toward the quorum.</summary>
    public int CountingApprovals => _approvals.Count(a => a.Counts);

    /// <inheritdoc />
    public IReadOnlyList<TrailFact> PendingTrail => _trail;
    /// <inheritdoc />
    public void ClearPendingTrail() => _trail.Clear();

    /// <summary>
    /// Whether it has left Open. No status leads back to Open, so from then on every approval of it is refused
    /// (<see cref="RefusalCode.NotOpen"/>, whoever asks), whatever else changes.
    /// </summary>
    public bool IsClosed => Status != ProposalStatus.Open;

    /// <summary>Whether approvals, edits and withdrawal are still possible at <paramref name="now"/>.</summary>
    public bool IsOpenAt(DateTimeOffset now) => Status == ProposalStatus.Open && (ExpiresAt is null || now < ExpiresAt);

    /// <summary>Posts a proposal on <paramref name="board"/> under the policy in force now.</summary>
    public static Proposal Post(Boards.Board board, Member author, string title, string body, Proposal? reverses, DateTimeOffset now)
    {
        RequireActive(author);
        var (validTitle, validBody) = ValidText(title, body);
        if (reverses is not null && (reverses.BoardId != board.Id || reverses.Status is not (ProposalStatus.Executed or ProposalStatus.Done)))
            throw Refusal.Invalid("reverses", "Only an executed or done proposal on the same board can be reversed.");

        var policy = board.Policy;
        var proposal = new Proposal
        {
            Id = Guid.CreateVersion7(now),
            BoardId = board.Id,
            Title = validTitle,
            Body = validBody,
            TextHash = HashText(validTitle, validBody),
            AuthorId = author.Id,
            AuthorName = author.Name,
            Status = ProposalStatus.Open,
            ApprovalsRequired = policy.ApprovalsRequired,
            ApproverRole = policy.ApproverRole,
            ReversesId = reverses?.Id,
            PostedAt = now,
            ExpiresAt = policy.ExpiresAfterDays == 0 ? null : now.AddDays(policy.ExpiresAfterDays),
            Version = 1,
        };
        proposal.Record(TrailActions.ProposalPosted, author.AsActor(), now, new JsonObject
        {
            ["title"] = proposal.Title,
            ["body"] = proposal.Body,
            ["textHash"] = proposal.TextHash,
            ["reverses"] = proposal.ReversesId?.ToString(),
            ["approvalsRequired"] = proposal.ApprovalsRequired,
            ["approverRole"] = proposal.ApproverRole,
            ["expiresAt"] = proposal.ExpiresAt is { } e ? HashChain.FormatTime(e) : null,
        });
        return proposal;
    }

    /// <summary>
    /// Why <paramref name="approver"/> may not approve at <paramref name="now"/>, checked in the order
    /// <see cref="Approve"/> refuses (not open or past its deadline, own proposal, not an approver, already
    /// approved); <c>null</c> when they may. Lists such as "waiting for me" ask this, so they and the
    /// refusal can never disagree.
    /// </summary>
    public RefusalCode? WhyNotApprove(Member approver, DateTimeOffset now)
    {
        if (!IsOpenAt(now)) return RefusalCode.NotOpen;
        if (approver.Id == AuthorId) return RefusalCode.OwnProposal;
        if (!approver.Holds(ApproverRole)) return RefusalCode.NotApprover;
        if (_approvals.Any(a => a.MemberId == approver.Id)) return RefusalCode.AlreadyApproved;
        return null;
    }

    /// <summary>Whether <paramref name="approver"/> may approve at <paramref name="now"/> (<see cref="WhyNotApprove"/> says no reason).</summary>
    public bool MayApprove(Member approver, DateTimeOffset now) => WhyNotApprove(approver, now) is null;

    /// <summary>
    /// Adds <paramref name="approver"/>'s approval. Earlier approvals are re-checked with
    /// <paramref name="stillCounts"/> (is that member still active and holding the approver role?);
    /// if the counting approvals reach the quorum, the proposal executes now.
    /// </summary>
    public Approval Approve(Member approver, DateTimeOffset now, Func<Guid, bool> stillCounts)
    {
        switch (WhyNotApprove(approver, now))
        {
            case RefusalCode.NotOpen: RequireOpen(now); break;
            case RefusalCode.OwnProposal: throw new Refusal(RefusalCode.OwnProposal, "You cannot approve your own proposal.");
            case RefusalCode.NotApprover: throw new Refusal(RefusalCode.NotApprover, $"Only members with the '{ApproverRole}' role approve on this proposal.");
            case RefusalCode.AlreadyApproved: throw new Refusal(RefusalCode.AlreadyApproved, "You have already approved this proposal.");
        }

        foreach (var earlier in _approvals) earlier.Recheck(stillCounts(earlier.MemberId));
        var approval = new Approval(Id, approver.Id, approver.Name, now, TextHash);
        _approvals.Add(approval);
        Version++;
        Record(TrailActions.ApprovalAdded, approver.AsActor(), now, new JsonObject
        {
            ["textHash"] = TextHash,
            ["counting"] = CountingApprovals,
            ["required"] = ApprovalsRequired,
            ["notCounting"] = new JsonArray([.. _approvals.Where(a => !a.Counts).Select(a => (JsonNode)a.MemberName)]),
        });

        if (CountingApprovals >= ApprovalsRequired) Execute(approver, now);
        return approval;
    }

    /// <summary>Takes back <paramref name="approver"/>'s approval while the proposal is open.</summary>
    public void TakeBackApproval(Member approver, DateTimeOffset now)
    {
        RequireOpen(now);
        var approval = _approvals.FirstOrDefault(a => a.MemberId == approver.Id)
            ?? throw new Refusal(RefusalCode.NotApproved, "You have not approved this proposal.");
        _approvals.Remove(approval);
        Version++;
        Record(TrailActions.ApprovalWithdrawn, approver.AsActor(), now, new JsonObject
        {
            ["counting"] = CountingApprovals,
            ["required"] = ApprovalsRequired,
        });
    }

    /// <summary>
    /// Changes the words while open; author only. Changed words dismiss every approval given so far
    /// (they approved other words); an edit that changes nothing keeps them and records nothing.
    /// </summary>
    /// <returns>Whether anything changed.</returns>
    public bool Edit(Member author, string title, string body, DateTimeOffset now)
    {
        RequireOpen(now);
        if (author.Id != AuthorId) throw new Refusal(RefusalCode.NotAuthor, "Only the author can edit a proposal.");
        var (validTitle, validBody) = ValidText(title, body);
        var hash = HashContent(validTitle, validBody, PhotoHashes(_attachments));
        if (hash == TextHash) return false;

        var dismissed = DismissApprovals();
        Title = validTitle;
        Body = validBody;
        TextHash = hash;
        EditedAt = now;
        Version++;
        Record(TrailActions.ProposalEdited, author.AsActor(), now, new JsonObject
        {
            ["title"] = Title,
            ["body"] = Body,
            ["textHash"] = TextHash,
            ["approvalsDismissed"] = new JsonArray(dismissed),
        });
        return true;
    }

    /// <summary>
    /// Adds a photo the host has stored (<paramref name="photo"/> names its bytes) while open; author only, at most
    /// <see cref="Attachment.PerProposalMax"/>. The approvals given so far approved a proposal without it: they are dismissed.
    /// </summary>
    public Attachment AddPhoto(Member author, StoredPhoto photo, string? alt, DateTimeOffset now)
    {
        RequireMayAddPhoto(author, now);
        var validAlt = (alt ?? "").Trim();
        if (validAlt.Length > Attachment.AltMax) throw Refusal.Invalid("alt", $"The description must be at most {Attachment.AltMax} characters.");
        PlainText.RequireCleanLine("alt", validAlt);

        var attachment = new Attachment(Id, photo, validAlt, _attachments.Count == 0 ? 0 : _attachments.Max(a => a.Position) + 1, now);
        _attachments.Add(attachment);
        RecordPhotoChange(TrailActions.AttachmentAdded, author, attachment, now);
        return attachment;
    }

    /// <summary>Removes a photo while open; author only. The approvals given so far approved it: they are dismissed.</summary>
    public Attachment RemovePhoto(Member author, Guid attachmentId, DateTimeOffset now)
    {
        RequireOpen(now);
        if (author.Id != AuthorId) throw new Refusal(RefusalCode.NotAuthor, "Only the author can change the photos.");
        var attachment = _attachments.FirstOrDefault(a => a.Id == attachmentId)
            ?? throw new Refusal(RefusalCode.NotFound, "This proposal has no such photo.");
        _attachments.Remove(attachment);
        RecordPhotoChange(TrailActions.AttachmentRemoved, author, attachment, now);
        return attachment;
    }

    /// <summary>
    /// Refuses unless <paramref name="author"/> may add a photo now (open, the author, fewer than
    /// <see cref="Attachment.PerProposalMax"/>): asked before an upload is processed, and again by <see cref="AddPhoto"/>.
    /// </summary>
    public void RequireMayAddPhoto(Member author, DateTimeOffset now)
    {
        RequireOpen(now);
        if (author.Id != AuthorId) throw new Refusal(RefusalCode.NotAuthor, "Only the author can change the photos.");
        if (_attachments.Count >= Attachment.PerProposalMax)
            throw Refusal.Invalid("file", $"A proposal has at most {Attachment.PerProposalMax} photos.");
    }

    private void RecordPhotoChange(string action, Member author, Attachment attachment, DateTimeOffset now)
    {
        TextHash = HashContent(Title, Body, PhotoHashes(_attachments));
        var dismissed = DismissApprovals();
        Version++;
        Record(action, author.AsActor(), now, new JsonObject
        {
            ["attachmentId"] = attachment.Id.ToString(),
            ["sha256"] = attachment.Sha256,
            ["contentType"] = attachment.ContentType,
            ["width"] = attachment.Width,
            ["height"] = attachment.Height,
            ["alt"] = attachment.Alt,
            ["textHash"] = TextHash,
            ["approvalsDismissed"] = new JsonArray(dismissed),
        });
    }

    private JsonNode[] DismissApprovals()
    {
        var dismissed = _approvals.Select(a => (JsonNode)a.MemberName).ToArray();
        _approvals.Clear();
        return dismissed;
    }

    /// <summary>Withdraws the proposal while open; author only.</summary>
    public void Withdraw(Member author, DateTimeOffset now)
    {
        RequireOpen(now);
        if (author.Id != AuthorId) throw new Refusal(RefusalCode.NotAuthor, "Only the author can withdraw a proposal.");
        Status = ProposalStatus.Withdrawn;
        ClosedAt = now;
        Version++;
        Record(TrailActions.ProposalWithdrawn, author.AsActor(), now, []);
    }

    /// <summary>Expires the proposal if it is still open past its deadline.</summary>
    /// <returns>Whether it expired now.</returns>
    public bool Expire(DateTimeOffset now)
    {
        if (Status != ProposalStatus.Open || ExpiresAt is not { } deadline || now < deadline) return false;
        Status = ProposalStatus.Expired;
        ClosedAt = now;
        Version++;
        Record(TrailActions.ProposalExpired, Actor.System, now, new JsonObject
        {
            ["expiresAt"] = HashChain.FormatTime(deadline),
            ["counting"] = CountingApprovals,
            ["required"] = ApprovalsRequired,
        });
        return true;
    }

    /// <summary>Records the outcome of an executed proposal; operations only.</summary>
    public void Complete(Member by, string note, DateTimeOffset now)
    {
        RequireActive(by);
        if (!by.Holds(Roles.Completer)) throw new Refusal(RefusalCode.Forbidden, "Only the operations team records outcomes.");
        if (Status != ProposalStatus.Executed) throw new Refusal(RefusalCode.NotExecuted, "Only an executed proposal can be marked done.");
        var valid = note?.Trim() ?? "";
        if (valid.Length is 0 or > NoteMax) throw Refusal.Invalid("note", $"The outcome note must be 1 to {NoteMax} characters.");
        PlainText.RequireCleanBody("note", valid);
        Status = ProposalStatus.Done;
        CompletedAt = now;
        CompletedByName = by.Name;
        CompletionNote = valid;
        Version++;
        Record(TrailActions.ProposalCompleted, by.AsActor(), now, new JsonObject { ["note"] = valid });
    }

    /// <summary>Adds a comment; any active member, in any state.</summary>
    public Comment AddComment(Member by, string body, DateTimeOffset now)
    {
        RequireActive(by);
        var valid = NormalizeBody(body).Trim();
        if (valid.Length is 0 or > Comment.BodyMax) throw Refusal.Invalid("body", $"A comment must be 1 to {Comment.BodyMax} characters.");
        PlainText.RequireCleanBody("body", valid);
        var comment = new Comment(Id, by.Id, by.Name, valid, now);
        _comments.Add(comment);
        Version++;
        Record(TrailActions.CommentAdded, by.AsActor(), now, new JsonObject { ["commentId"] = comment.Id.ToString(), ["body"] = valid });
        return comment;
    }

    /// <summary>The hash an approval records for a proposal without photos: SHA-256 over the canonical JSON of title and body.</summary>
    public static string HashText(string title, string body) => HashContent(title, body, []);

    /// <summary>
    /// The hash an approval records: SHA-256 over the canonical JSON of title, body and the photos' SHA-256 in order.
    /// Without photos the JSON has no <c>photos</c> member, so it equals <see cref="HashText"/> (and every hash
    /// recorded before photos existed).
    /// </summary>
    public static string HashContent(string title, string body, IReadOnlyList<string> photoHashes)
    {
        var content = new JsonObject { ["title"] = title, ["body"] = body };
        if (photoHashes.Count > 0) content["photos"] = new JsonArray([.. photoHashes.Select(h => (JsonNode)h)]);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson.Write(content))));
    }

    private static string[] PhotoHashes(IEnumerable<Attachment> attachments) =>
        [.. attachments.OrderBy(a => a.Position).Select(a => a.Sha256)];

    private void Execute(Member tippedBy, DateTimeOffset now)
    {
        Status = ProposalStatus.Executed;
        ExecutedAt = now;
        Record(TrailActions.ProposalExecuted, tippedBy.AsActor(), now, new JsonObject
        {
            ["approvers"] = new JsonArray([.. _approvals.Where(a => a.Counts).Select(a => (JsonNode)a.MemberName)]),
            ["approvalsRequired"] = ApprovalsRequired,
            ["tippedBy"] = tippedBy.Name,
            ["textHash"] = TextHash,
        });
    }

    private void RequireOpen(DateTimeOffset now)
    {
        if (!IsOpenAt(now)) throw new Refusal(RefusalCode.NotOpen, $"The proposal is {(Status == ProposalStatus.Open ? "expired" : Status.ToString().ToLowerInvariant())}, not open.");
    }

    private static void RequireActive(Member member)
    {
        if (!member.IsActive) throw new Refusal(RefusalCode.Inactive, "This member is deactivated.");
    }

    private static (string Title, string Body) ValidText(string? title, string? body)
    {
        var t = (title ?? "").Trim();
        var b = NormalizeBody(body);
        var errors = new Dictionary<string, string[]>();
        if (t.Length is 0 or > TitleMax) errors["title"] = [$"The title must be 1 to {TitleMax} characters."];
        else if (!PlainText.IsCleanLine(t)) errors["title"] = [PlainText.LineMessage];
        if (b.Length > BodyMax) errors["body"] = [$"The body must be at most {BodyMax} characters."];
        else if (!PlainText.IsCleanBody(b)) errors["body"] = [PlainText.BodyMessage];
        return errors.Count == 0 ? (t, b) : throw new Refusal(RefusalCode.Validation, "The proposal is not valid.", errors);
    }

    private static string NormalizeBody(string? body) => (body ?? "").Replace("\r\n", "\n").TrimEnd();

    private void Record(string action, Actor actor, DateTimeOffset at, JsonObject data) =>
        _trail.Add(new TrailFact(action, actor, at, BoardId, Id, data));
}
