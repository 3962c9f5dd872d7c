using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Board.Bench;

/// <summary>
/// Waits for one awaited message on every watcher and keeps the time the first and the last arrived.
/// Handlers run on many threads at once, so every field is touched with interlocked operations only.
/// </summary>
public sealed class Arrivals
{
    private int _expected;
    private int _arrived;
    private long _first;
    private long _last;
    private TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Expect(int count)
    {
        _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _first, 0);
        Volatile.Write(ref _last, 0);
        Volatile.Write(ref _arrived, 0);
        Volatile.Write(ref _expected, count);
    }

    public void Arrive()
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _first, now, 0);
        long seen;
        while ((seen = Volatile.Read(ref _last)) < now && Interlocked.CompareExchange(ref _last, now, seen) != seen) { }
        if (Interlocked.Increment(ref _arrived) == Volatile.Read(ref _expected)) _all.TrySetResult();
    }

    public int Arrived => Volatile.Read(ref _arrived);
    public long First => Volatile.Read(ref _first);
    public long Last => Volatile.Read(ref _last);

    public async Task<bool> WaitAsync(TimeSpan timeout)
    {
        var all = _all.Task;
        return await Task.WhenAny(all, Task.Delay(timeout)) == all;
    }
}

/// <summary>A set of real SignalR clients over WebSockets, connected with bounded parallelism and time.</summary>
public sealed class WatcherSet : IAsyncDisposable
{
    private readonly List<HubConnection> _connections = [];

    public int Count => _connections.Count;
    public TimeSpan ConnectTime { get; private set; }
    public string? FirstError { get; private set; }

    public static HubConnection Build(Uri hub, string? token)
    {
        var builder = new HubConnectionBuilder().WithUrl(hub, o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.SkipNegotiation = true;
            if (token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        });
        builder.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Critical));
        var connection = builder.Build();
        connection.ServerTimeout = TimeSpan.FromMinutes(5);
        connection.HandshakeTimeout = TimeSpan.FromSeconds(60);
        return connection;
    }

    /// <summary>
    /// Opens up to <paramref name="count"/> more connections; <paramref name="setUp"/> registers handlers before start,
    /// <paramref name="join"/> runs after start. Stops at the first failure or the deadline and reports how many it has.
    /// </summary>
    public async Task AddAsync(int count, Func<HubConnection> create, Action<HubConnection> setUp, Func<HubConnection, Task> join,
        TimeSpan timeLimit, int parallel = 32)
    {
        var started = Stopwatch.GetTimestamp();
        using var cts = new CancellationTokenSource(timeLimit);
        var next = 0;
        var failed = 0;
        async Task Worker()
        {
            while (!cts.IsCancellationRequested && Volatile.Read(ref failed) == 0 && Interlocked.Increment(ref next) <= count)
            {
                var c = create();
                setUp(c);
                try
                {
                    await c.StartAsync(cts.Token);
                    await join(c).WaitAsync(cts.Token);
                    lock (_connections) _connections.Add(c);
                }
                catch (Exception ex)
                {
                    FirstError ??= $"{ex.GetType().Name}: {ex.Message}";
                    Interlocked.Increment(ref failed);
                    await c.DisposeAsync();
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(Worker)));
        ConnectTime += Stopwatch.GetElapsedTime(started);
    }

    public async ValueTask DisposeAsync()
    {
        List<HubConnection> all;
        lock (_connections) { all = [.. _connections]; _connections.Clear(); }
        foreach (var chunk in all.Chunk(256))
            await Task.WhenAll(chunk.Select(c => c.DisposeAsync().AsTask()));
    }
}

/// <summary>Board's HTTP API as the bench uses it.</summary>
public sealed class BoardApi(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<string> LoginAsync(string email, string password, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { email, password }, Json, ct);
        await EnsureAsync(response, "login " + email, ct);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("accessToken").GetString()!;
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, string token, object? body, CancellationToken ct)
    {
        using var response = await RawAsync(method, path, token, body, ct);
        await EnsureAsync(response, $"{method} {path}", ct);
        return response.Content.Headers.ContentLength == 0 ? default : await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
    }

    public Task<HttpResponseMessage> RawAsync(HttpMethod method, string path, string token, object? body, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        return http.SendAsync(request, ct);
    }

    /// <summary>POSTs <paramref name="content"/> as it is (a multipart photo upload).</summary>
    public Task<HttpResponseMessage> PostAsync(string path, string token, HttpContent content, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request, ct);
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }
}
