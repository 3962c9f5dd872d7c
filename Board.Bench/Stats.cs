namespace Board.Bench;

public sealed record Percentiles(int Count, double P50, double P95, double P99, double Max, double Mean)
{
    /// <summary>Nearest-rank percentiles of <paramref name="values"/> (milliseconds).</summary>
    public static Percentiles Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        var sorted = values.Order().ToArray();
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new(sorted.Length, At(0.50), At(0.95), At(0.99), sorted[^1], sorted.Average());
    }
}

/// <summary>CPU time of a process between two points, from /proc through <see cref="System.Diagnostics.Process"/>.</summary>
public sealed class CpuMeter(System.Diagnostics.Process? server)
{
    private readonly System.Diagnostics.Process _self = System.Diagnostics.Process.GetCurrentProcess();
    private TimeSpan _server0, _client0;
    private long _start;

    public CpuMeter Start()
    {
        _server0 = ServerCpu();
        _self.Refresh();
        _client0 = _self.TotalProcessorTime;
        _start = System.Diagnostics.Stopwatch.GetTimestamp();
        return this;
    }

    public CpuUse Stop()
    {
        _self.Refresh();
        return new CpuUse(
            System.Diagnostics.Stopwatch.GetElapsedTime(_start).TotalSeconds,
            server is null ? double.NaN : (ServerCpu() - _server0).TotalSeconds,
            (_self.TotalProcessorTime - _client0).TotalSeconds);
    }

    private TimeSpan ServerCpu()
    {
        if (server is null) return TimeSpan.Zero;
        server.Refresh();
        return server.TotalProcessorTime;
    }
}

/// <summary>Wall time and the CPU seconds each side spent in it (2 cores = at most 2 CPU-seconds per second).</summary>
public sealed record CpuUse(double WallSeconds, double ServerCpuSeconds, double ClientCpuSeconds);

/// <summary>Progress lines, stamped with the time since the run began.</summary>
public static class Log
{
    private static readonly System.Diagnostics.Stopwatch Clock = System.Diagnostics.Stopwatch.StartNew();

    public static void Line(string text) => Console.WriteLine($"[{Clock.Elapsed:mm\\:ss}] {text}");
}
