using Board.Web.Webhooks;

namespace Board.Web.Push;

/// <summary>What a notification tells its member.</summary>
public enum PushKind
{
    /// <summary>A proposal started waiting for the member's approval.</summary>
    Waiting,
    /// <summary>The member's proposal executed.</summary>
    Executed,
    /// <summary>The member's proposal is done (its outcome recorded).</summary>
    Done,
}

/// <summary>
/// One outbox row: one notification for one device, written in the same transaction as the trail entry that
/// caused it. Waiting rows of one device that are due together go out as one notification.
/// </summary>
public sealed class PushNotice
{
    private PushNotice() { }

    public Guid Id { get; private set; }
    public Guid DeviceId { get; private set; }
    public PushKind Kind { get; private set; }
    public Guid ProposalId { get; private set; }
    /// <summary>The trail entry that caused it.</summary>
    public long Seq { get; private set; }
    public DeliveryStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    /// <summary>Start of the retry window.</summary>
    public DateTimeOffset WindowStart { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    /// <summary>While in the future, one worker (of any instance) owns the row.</summary>
    public DateTimeOffset? LeaseUntil { get; private set; }
    public Guid? LeaseId { get; private set; }
    public int Attempts { get; private set; }
    public int? LastStatusCode { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }

    public static PushNotice For(Guid deviceId, PushKind kind, Guid proposalId, long seq, DateTimeOffset now, TimeSpan delay) => new()
    {
        Id = Guid.CreateVersion7(now),
        DeviceId = deviceId,
        Kind = kind,
        ProposalId = proposalId,
        Seq = seq,
        Status = DeliveryStatus.Pending,
        CreatedAt = now,
        WindowStart = now,
        NextAttemptAt = now + delay,
    };
}
