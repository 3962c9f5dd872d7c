namespace Board.Web.Hosting;

/// <summary>
/// A setting that keeps Board (or the offline audit command) from starting: an unknown provider, a connection string
/// that is not one or names an unreachable database, a malformed Redis string. Its message names the key, and the
/// start prints it in one line instead of a stack trace.
/// </summary>
public sealed class SettingException(string message, Exception? inner = null) : Exception(message, inner);
