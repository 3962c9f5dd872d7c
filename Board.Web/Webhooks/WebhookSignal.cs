using Board.Web.Persistence;

namespace Board.Web.Webhooks;

/// <summary>Wakes the delivery worker when this instance commits deliveries.</summary>
public sealed class WebhookSignal : CommitSignal;
