using System.Runtime.InteropServices;

namespace Board.Bench;

/// <summary>
/// Every idle watcher is a socket in the bench and another in the server, and Board.Web takes no more WebSockets than
/// its open-files limit allows (<c>OpenFiles</c>: nine tenths of the soft limit less a reserve). A shell's default
/// (20,000 here) stops the idle-watcher count at 17,540 with the server answering 200 instead of 101 — that is the
/// configured refusal, not a failure. So the bench raises its own limit before it starts anything (the servers it
/// starts inherit it), as a deployment sets <c>LimitNOFILE</c>; where it may not, it says so and measures what the
/// limit allows.
/// </summary>
public static class OpenFilesLimit
{
    private const int NoFile = 7; // RLIMIT_NOFILE on Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, out RLimit limit);

    [DllImport("libc", SetLastError = true)]
    private static extern int setrlimit(int resource, ref RLimit limit);

    /// <summary>The soft limit, raised to <paramref name="wanted"/> when lower (the hard one too, where permitted); null off Linux.</summary>
    public static long? RaiseTo(long wanted)
    {
        if (!OperatingSystem.IsLinux() || getrlimit(NoFile, out var limit) != 0) return null;
        if (limit.Current >= (ulong)wanted) return (long)limit.Current;
        var raised = new RLimit { Current = (ulong)wanted, Maximum = Math.Max(limit.Maximum, (ulong)wanted) };
        if (setrlimit(NoFile, ref raised) != 0)
        {
            // Not allowed to raise the hard limit: as far as the hard limit goes.
            raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
            if (setrlimit(NoFile, ref raised) != 0) return (long)limit.Current;
        }
        return getrlimit(NoFile, out limit) == 0 ? (long)limit.Current : null;
    }

    /// <summary>A process's soft open-files limit, from <c>/proc/PID/limits</c>; null when it cannot be read.</summary>
    public static long? Of(int pid)
    {
        try
        {
            return Board.Web.Hosting.OpenFiles.ConnectionLimit(File.ReadAllText($"/proc/{pid}/limits")) is { } budget
                ? budget + Board.Web.Hosting.OpenFiles.Reserve : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
