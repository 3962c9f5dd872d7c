namespace Board.Web.Hosting;

/// <summary>A setting that keeps Board from starting; its message names the key, and the start prints it in one line.</summary>
public sealed class SettingException(string message, Exception? inner = null) : Exception(message, inner);
