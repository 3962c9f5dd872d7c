using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace Board.Bench;

/// <summary>
/// (7) Photos. Upload to visible: from sending a phone-sized JPEG (4032 × 3024) to another member's open board having
/// received the commit with <c>attachment.added</c> and fetched the thumbnail it shows on the card. Before those, the
/// server's memory around one upload of a JPEG just under the 10 MB limit, its first photo: resident memory before, its
/// peak while the upload is read, decoded, re-encoded and stored (sampled every 5 ms), and after.
/// </summary>
public sealed class PhotosBench(BoardApi api, BenchSetup setup, Uri boardHub, ChildProcess? server, CpuMeter cpu)
{
    public async Task<PhotosResult> RunAsync(int uploads, CancellationToken ct)
    {
        var board = BenchSetup.IdOf(await api.SendAsync(HttpMethod.Post, "/api/boards", setup.AdminToken,
            new { name = $"Photos {Guid.NewGuid():N}"[..15], policy = new { approvalsRequired = 3, approverRole = "operations", expiresAfterDays = 0 } }, ct));
        var phone = Jpeg(4032, 3024, noise: 6, quality: 90);
        Log.Line($"  phone photo {phone.Length / 1048576.0:F1} MiB");

        var seen = new ConcurrentDictionary<Guid, TaskCompletionSource<Guid>>();
        await using var watcher = WatcherSet.Build(boardHub, setup.WatcherToken);
        watcher.On<JsonElement>("commit", commit =>
        {
            foreach (var entry in commit.GetProperty("entries").EnumerateArray())
                if (entry.GetProperty("action").GetString() == "attachment.added" && entry.GetProperty("proposalId").GetGuid() is var proposal
                    && seen.TryGetValue(proposal, out var waiting))
                    waiting.TrySetResult(Guid.Parse(entry.GetProperty("data").GetProperty("attachmentId").GetString()!));
        });
        await watcher.StartAsync(ct);
        await watcher.InvokeAsync("Watch", board, ct);

        // The large upload first: the server has decoded no photo yet, so its memory is what one upload costs.
        var large = LargestUnder(9.8 * 1048576);
        Log.Line($"  large photo {large.Length / 1048576.0:F1} MiB");
        var target = BenchSetup.IdOf(await api.SendAsync(HttpMethod.Post, $"/api/boards/{board}/proposals", setup.AuthorToken,
            new { title = "The largest photo", body = BenchSetup.Body }, ct));
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var before = server?.Rss() ?? -1;
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested && server is not null)
            {
                peak = Math.Max(peak, server.Rss());
                try { await Task.Delay(5, sampling.Token); } catch (OperationCanceledException) { }
            }
        }, CancellationToken.None);
        var l0 = Stopwatch.GetTimestamp();
        await UploadAsync(target, large, ct);
        var largeMs = Stopwatch.GetElapsedTime(l0).TotalMilliseconds;
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        await sampling.CancelAsync();
        await sampler;
        var after = server?.Rss() ?? -1;

        var replies = new List<double>();
        var visible = new List<double>();
        int width = 0, height = 0;
        var usage = cpu.Start();
        for (var i = 0; i < uploads; i++)
        {
            var proposal = BenchSetup.IdOf(await api.SendAsync(HttpMethod.Post, $"/api/boards/{board}/proposals", setup.AuthorToken,
                new { title = $"Photo {i}", body = BenchSetup.Body }, ct));
            var arrived = seen[proposal] = new TaskCompletionSource<Guid>(TaskCreationOptions.RunContinuationsAsynchronously);
            var t0 = Stopwatch.GetTimestamp();
            var stored = await UploadAsync(proposal, phone, ct);
            replies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            var id = await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            using var thumb = await api.RawAsync(HttpMethod.Get, $"/api/attachments/{id}?size=thumb", setup.WatcherToken, null, ct);
            await thumb.Content.ReadAsByteArrayAsync(ct);
            if (!thumb.IsSuccessStatusCode) throw new InvalidOperationException($"thumbnail: {(int)thumb.StatusCode}");
            visible.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            (width, height) = (stored.GetProperty("width").GetInt32(), stored.GetProperty("height").GetInt32());
        }
        var used = usage.Stop();

        var result = new PhotosResult(uploads, phone.Length, width, height, Percentiles.Of(replies), Percentiles.Of(visible), used,
            large.Length, largeMs, before, peak, after);
        Log.Line($"  upload to visible p50 {result.Visible.P50:F0} ms, max {result.Visible.Max:F0} ms; 10 MB upload: server RSS {before / 1048576.0:F0} → peak {peak / 1048576.0:F0} → {after / 1048576.0:F0} MiB");
        return result;
    }

    private async Task<JsonElement> UploadAsync(Guid proposal, byte[] bytes, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "file", "photo.jpg");
        using var response = await api.PostAsync($"/api/proposals/{proposal}/attachments", setup.AuthorToken, form, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"upload: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A noisy 4:3 JPEG as large as fits under <paramref name="limit"/> bytes (noise compresses badly: a worst case).</summary>
    private static byte[] LargestUnder(double limit)
    {
        var best = Jpeg(1600, 1200, noise: 255, quality: 98);
        for (var w = 2000; w <= 6000; w += 400)
        {
            var candidate = Jpeg(w, w * 3 / 4, noise: 255, quality: 98);
            if (candidate.Length > limit) break;
            best = candidate;
        }
        return best;
    }

    private static byte[] Jpeg(int width, int height, int noise, int quality)
    {
        var random = new Random(7);
        using var image = new Image<Rgb24>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var n = random.Next(noise + 1);
                    row[x] = new Rgb24((byte)((x * 255 / width + n) & 255), (byte)((y * 255 / height + n) & 255), (byte)((x + y + n) & 255));
                }
            }
        });
        using var output = new MemoryStream();
        image.Save(output, new JpegEncoder { Quality = quality });
        return output.ToArray();
    }
}
