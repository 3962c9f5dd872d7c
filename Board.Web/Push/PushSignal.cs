using Board.Web.Persistence;

namespace Board.Web.Push;

/// <summary>Wakes the push worker when this instance commits notices.</summary>
public sealed class PushSignal : CommitSignal;
